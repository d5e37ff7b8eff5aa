#include "web/account_templates.h"

namespace pb::web::templates {

// Field keys carry an f_ prefix: mustache looks names up through the
// enclosing contexts, and a field without an error must not show the
// page's.
const char* const kFormPage = R"HTML(<h1>{{heading}}</h1>
{{#intro}}{{{html}}}
{{/intro}}<form method="post"{{#action}} action="{{action}}"{{/action}} class="{{form_class}}">
<input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">
<table class="form">
{{#error}}<tr><td colspan="2"><ul class="errorlist nonfield"><li>{{error}}</li></ul></td></tr>
{{/error}}{{#fields}}<tr><th><label for="id_{{f_name}}">{{f_label}}:</label></th><td>{{#f_error}}<ul class="errorlist"><li>{{f_error}}</li></ul>{{/f_error}}<input type="{{f_type}}" name="{{f_name}}" id="id_{{f_name}}"{{#f_value}} value="{{f_value}}"{{/f_value}}{{#f_required}} required{{/f_required}}{{#f_auto}} autocomplete="{{f_auto}}"{{/f_auto}}{{#f_max}} maxlength="{{f_max}}"{{/f_max}}>{{#f_help}}<div class="form-help">{{f_help}}</div>{{/f_help}}</td></tr>
{{/fields}}<tr><td></td><td class="submitrow"><input type="submit" value="{{submit}}"></td></tr>
</table>
</form>
{{#outro}}{{{html}}}
{{/outro}})HTML";

const char* const kMessagePage = R"HTML(<h1>{{heading}}</h1>
{{#paragraphs}}<p>{{{html}}}</p>
{{/paragraphs}})HTML";

const char* const kMailSettings = R"HTML(<h1>Mail settings</h1>
<p>Settings for <strong>{{email}}</strong>:</p>
<table class="form mailsettings">
<tr><th>Opt-out list</th>
{{#is_optout}}<td>Patchwork <strong>may not</strong> send automated notifications to this address.</td>
<td><form method="post" action="/mail/optin/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="hidden" name="email" value="{{email}}"><input type="submit" value="Opt-in"></form></td>{{/is_optout}}
{{^is_optout}}<td>Patchwork <strong>may</strong> send automated notifications to this address.</td>
<td><form method="post" action="/mail/optout/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="hidden" name="email" value="{{email}}"><input type="submit" value="Opt-out"></form></td>{{/is_optout}}
</tr>
</table>
)HTML";

const char* const kProfileExtras = R"HTML(<h2>Linked email addresses</h2>
<p>The following email addresses are associated with this Patchwork account. Adding alternative addresses allows Patchwork to group contributions that you have made under different addresses.</p>
<p>The "notify?" column allows you to opt-in or opt-out of automated Patchwork notification emails. Setting it to "no" will disable automated notifications to that address.</p>
<table class="listing linked-emails">
<tr><th>email</th><th>notify?</th><th></th></tr>
{{#people}}<tr><td>{{email}}</td>
<td>{{#optout}}<form method="post" action="/mail/optin/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="hidden" name="email" value="{{email}}">no, <input type="submit" value="change"></form>{{/optout}}{{^optout}}<form method="post" action="/mail/optout/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="hidden" name="email" value="{{email}}">yes, <input type="submit" value="change"></form>{{/optout}}</td>
<td>{{^primary}}<form method="post" action="/user/unlink/{{id}}/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="submit" value="Unlink"></form>{{/primary}}</td></tr>
{{/people}}</table>
<form method="post" action="/user/link/" class="linkform"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">
<label for="id_email">Add an address:</label> <input type="email" name="email" id="id_email" maxlength="200" required> <input type="submit" value="Add this email">
</form>
<h2>Settings</h2>
<form method="post" action="/user/" class="settingsform"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">
<table class="form">
{{#settings_error}}<tr><td colspan="2"><ul class="errorlist"><li>{{settings_error}}</li></ul></td></tr>
{{/settings_error}}<tr><th><label for="id_items_per_page">Items per page:</label></th><td><input type="number" name="items_per_page" value="{{items_per_page}}" min="0" required id="id_items_per_page"></td></tr>
<tr><th><label for="id_show_ids">Show Patch IDs:</label></th><td><input type="checkbox" name="show_ids" id="id_show_ids"{{#show_ids}} checked{{/show_ids}}></td></tr>
<tr><td></td><td class="submitrow"><input type="submit" value="Apply"></td></tr>
</table>
</form>
<h2>Password</h2>
<p><a href="/user/password-change/">Change password</a></p>
)HTML";

}  // namespace pb::web::templates
