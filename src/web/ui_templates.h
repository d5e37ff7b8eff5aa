// The maintainer pages' templates (kainjow mustache), stylesheet additions
// and the one small script (select all, autocomplete, comment buttons),
// compiled in. The layout and the account pages' templates are in
// templates.h.
#pragma once

namespace pb::web::ui_templates {

extern const char* const kPatchList;    // filters, table, pagination, forms
extern const char* const kBundleChoice;  // the list's "Add to bundle" row
extern const char* const kSubmission;   // patch and cover page
extern const char* const kPatchBundleChoice;  // the patch page's "Add to bundle" row
extern const char* const kBundleHead;   // above a bundle's list
extern const char* const kBundleList;   // /user/bundles/, /project/P/bundles/
extern const char* const kTodoLists;    // /user/todo/
extern const char* const kProject;      // /project/P/
extern const char* const kAbout;        // /about/
extern const char* const kNotFound;     // the site's 404
extern const char* const kStylesheet;   // appended to templates::kStylesheet
extern const char* const kScript;       // /static/patchbay.js

}  // namespace pb::web::ui_templates
