// The HTML templates (kainjow mustache) and the stylesheet, compiled in so
// the binary runs without a static-files directory.
#pragma once

namespace pb::web::templates {

extern const char* const kLayout;
extern const char* const kAccountNav;  // the navbar's account links, inside kLayout
extern const char* const kProjectList;
extern const char* const kPatchList;
extern const char* const kPatchDetail;
extern const char* const kCoverDetail;
extern const char* const kLogin;
extern const char* const kProfile;
extern const char* const kStylesheet;

}  // namespace pb::web::templates
