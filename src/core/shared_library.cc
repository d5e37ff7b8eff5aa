#include "core/shared_library.h"

#include <dlfcn.h>

namespace pb {

void* OpenSharedLibrary(const char* soname, std::string* error) {
  // RTLD_LOCAL: the library's symbols serve only the lookups below, so they
  // cannot interpose on anything patchbay already uses.
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!lib && error) {
    const char* why = dlerror();
    *error = std::string("cannot load ") + soname + ": " + (why ? why : "unknown error");
  }
  return lib;
}

void* FindSymbol(void* library, const char* name, std::string* error) {
  void* sym = dlsym(library, name);
  if (!sym && error && error->empty()) *error = std::string("missing symbol ") + name;
  return sym;
}

}  // namespace pb
