// Reading stdin line by line without <iostream>.
#pragma once

#include <string>

namespace pb::cli {

// The next line of stdin without its "\n"; false at the end of input.
// Not std::getline(std::cin): a translation unit that includes <iostream>
// builds the standard streams and their locale in every process before
// main(), `patchbay help` and each `parsemail` included (docs/performance.md §0b).
bool ReadStdinLine(std::string& line);

}  // namespace pb::cli
