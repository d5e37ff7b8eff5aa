// Templates of the registration, confirmation, password, address and mail
// settings pages (upstream's registration.html, mail.html, ... reworded
// only where Django's forms rendered themselves).
#pragma once

namespace pb::web::templates {

// A form: heading, intro paragraphs, error, fields, submit button.
extern const char* const kFormPage;
// A heading and paragraphs (already escaped HTML).
extern const char* const kMessagePage;
extern const char* const kMailSettings;
// Appended to the profile page: settings, linked addresses.
extern const char* const kProfileExtras;

}  // namespace pb::web::templates
