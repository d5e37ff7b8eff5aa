#include "web/ui_templates.h"

namespace pb::web::ui_templates {

// Upstream's partials/filters.html, pagination.html and patch-list.html.
// The filter form is a <details> (no JavaScript needed to open it).
const char* const kPatchList = R"HTML({{#messages}}<ul class="messages">{{#items}}<li class="message {{level}}">{{text}}</li>{{/items}}</ul>{{/messages}}
{{#errors}}<div class="errors"><p>The following error{{^one}}s{{/one}} occurred while processing your request:</p><ul class="errorlist">{{#items}}<li>{{.}}</li>{{/items}}</ul></div>{{/errors}}
<div class="filters">
<details id="filterdetails">
<summary id="filtersummary">Show patches with:
{{#applied}}<span class="filter">{{name}} = <strong>{{condition}}</strong>{{^forced}} <a class="filter-action" href="{{remove_url}}" title="Remove filter">&#8854;</a>{{/forced}}</span>{{^last}} | {{/last}}{{/applied}}
{{^applied}}none{{/applied}}
 | <span id="patch-count">{{total}} patch{{^one}}es{{/one}}</span></summary>
<form id="filterform" method="get">
{{#has_order}}<input type="hidden" name="order" value="{{order}}">{{/has_order}}
{{#series_id}}<input type="hidden" name="series" value="{{series_id}}">{{/series_id}}
<label>Submitter <input type="text" name="submitter" id="submitter_input" list="submitter_options" value="{{submitter}}" autocomplete="off"></label>
<datalist id="submitter_options"></datalist>
<label>State <select name="state">
<option value="*"{{#state_any}} selected{{/state_any}}>any</option>
<option value=""{{#state_default}} selected{{/state_default}}>Action Required</option>
{{#states}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/states}}
</select></label>
<label>Search <input type="search" name="q" value="{{q}}"></label>
<fieldset class="archive"><legend>Archived</legend>
<label><input type="radio" name="archive" value=""{{#archive_no}} checked{{/archive_no}}>No</label>
<label><input type="radio" name="archive" value="true"{{#archive_yes}} checked{{/archive_yes}}>Yes</label>
<label><input type="radio" name="archive" value="both"{{#archive_both}} checked{{/archive_both}}>Both</label>
</fieldset>
{{^delegate_forced}}<label>Delegate <input type="text" name="delegate" id="delegate_input" list="delegate_options" value="{{delegate}}" placeholder="user, id or Nobody" autocomplete="off"></label>
<datalist id="delegate_options"><option value="Nobody">Nobody</option>
{{#delegates}}<option value="{{id}}">{{name}}</option>{{/delegates}}</datalist>{{/delegate_forced}}
<button type="submit">Apply</button>
</form>
</details>
</div>
{{{pagination}}}
<form method="post" id="patchlistform">
{{#logged_in}}<input type="hidden" name="csrfmiddlewaretoken" value="{{{csrf_token}}}">{{/logged_in}}
<input type="hidden" name="form" value="patchlistform">
<input type="hidden" name="project" value="{{project_id}}">
<table id="patchlist" class="list patches">
<thead><tr>
{{#logged_in}}<th class="select"><input type="checkbox" id="check-all" title="Select all" aria-label="Select all"></th>{{/logged_in}}
{{#show_ids}}<th class="id">ID</th>{{/show_ids}}
{{#columns}}<th class="col-{{key}}">{{#sortable}}<a class="{{#active}}colactive{{/active}}{{^active}}colinactive{{/active}}" href="{{url}}">{{label}}{{#active}} <span class="arrow">{{arrow}}</span>{{/active}}</a>{{/sortable}}{{^sortable}}<span class="colinactive"{{#title}} title="{{title}}"{{/title}}>{{label}}</span>{{/sortable}}</th>
{{/columns}}{{#reorder}}<th class="col-reorder">Order</th>{{/reorder}}
</tr></thead>
<tbody>
{{{rows}}}{{^has_patches}}<tr><td colspan="{{colspan}}">No patches to display</td></tr>
{{/has_patches}}</tbody>
</table>
{{{pagination}}}
{{#has_patches}}{{#logged_in}}<div class="patchforms" id="patchforms">
{{#patchform}}<div class="patchform patchform-properties">
<h3>Properties</h3>
<table class="form">
<tr><th><label for="bulk_state">Change state:</label></th><td><select name="state" id="bulk_state"><option value="*" selected>no change</option>{{#states}}<option value="{{id}}">{{name}}</option>{{/states}}</select></td></tr>
<tr><th><label for="bulk_delegate">Delegate to:</label></th><td><select name="delegate" id="bulk_delegate"><option value="*" selected>no change</option><option value="">Nobody</option>{{#maintainers}}<option value="{{id}}">{{name}}</option>{{/maintainers}}</select></td></tr>
<tr><th><label for="bulk_archived">Archive:</label></th><td><select name="archived" id="bulk_archived"><option value="*" selected>no change</option><option value="True">Archived</option><option value="False">Unarchived</option></select></td></tr>
<tr><td></td><td><input type="submit" name="action" value="Update"></td></tr>
</table>
</div>{{/patchform}}
<div class="patchform patchform-bundle">
<h3>Bundling</h3>
<table class="form">
<tr><td><label for="bundle_name">Create bundle:</label></td><td><input type="text" name="bundle_name" id="bundle_name"> <input name="action" value="Create" type="submit"></td></tr>
{{{bundle_choice}}}
{{#remove_bundle}}<tr><td>Remove from bundle:</td><td><input type="hidden" name="removed_bundle_id" value="{{remove_bundle}}"><input name="action" value="Remove" type="submit"></td></tr>{{/remove_bundle}}
</table>
</div>
</div>{{/logged_in}}{{/has_patches}}
</form>
)HTML";

// The list's "Add to bundle" row: the visitor's bundles in the project
// (nothing when there are none). Its own template because it differs per
// visitor on a kept page (web/spliced_page.h).
const char* const kBundleChoice = R"HTML({{#has_bundles}}<tr><td><label for="bundle_id">Add to bundle:</label></td><td><select name="bundle_id" id="bundle_id">{{#bundles}}<option value="{{id}}">{{name}}</option>{{/bundles}}</select> <input name="action" value="Add" type="submit"></td></tr>{{/has_bundles}})HTML";

// The patch page's "Add to bundle" row, likewise.
const char* const kPatchBundleChoice = R"HTML({{#has_bundles}}<tr><td><label for="id_bundle_id">Add to bundle:</label></td><td><select name="bundle_id" id="id_bundle_id">{{#bundles}}<option value="{{id}}">{{name}}</option>{{/bundles}}</select> <button type="submit" name="action" value="addtobundle">Add</button></td></tr>{{/has_bundles}})HTML";

// Upstream's submission.html, for patches and cover letters.
const char* const kSubmission = R"HTML({{#messages}}<ul class="messages">{{#items}}<li class="message {{level}}">{{text}}</li>{{/items}}</ul>{{/messages}}
{{#errors}}<div class="errors"><ul class="errorlist">{{#items}}<li>{{.}}</li>{{/items}}</ul></div>{{/errors}}
<div class="submission-head">
<h1>{{name}}</h1>
<div class="btn-group">{{#is_patch}}<a class="btn" href="raw/">diff</a> {{/is_patch}}<a class="btn" href="mbox/">mbox</a>{{#series_id}} <a class="btn" href="/series/{{series_id}}/mbox/">series</a>{{/series_id}}</div>
</div>
<table id="patch-meta" class="meta">
<tr><th>Message ID</th><td><code>{{msgid}}</code>{{#list_archive_url}} (<a href="{{list_archive_url}}">mailing list archive</a>){{/list_archive_url}}</td></tr>
{{#is_patch}}<tr><th>State</th><td id="patch-state">{{state}}{{#archived}}, archived{{/archived}}</td></tr>
{{#commit_ref}}<tr><th>Commit</th><td>{{#commit_url}}<a href="{{commit_url}}">{{commit_ref}}</a>{{/commit_url}}{{^commit_url}}{{commit_ref}}{{/commit_url}}</td></tr>{{/commit_ref}}
{{#delegate}}<tr><th>Delegated to</th><td id="patch-delegate">{{delegate}}</td></tr>{{/delegate}}{{/is_patch}}
<tr><th>Headers</th><td><details class="headers"><summary>show</summary><pre>{{headers}}</pre></details></td></tr>
{{#has_series}}<tr><th>Series</th><td><a href="/project/{{linkname}}/list/?series={{series_id}}">{{series_name}}</a>
<details class="series-list"><summary>{{series_count}} item{{^series_one}}s{{/series_one}}</summary><ul>
{{#series_members}}<li>{{#current}}<strong>{{name}}</strong>{{/current}}{{^current}}<a href="{{url}}">{{#cover}}[cover] {{/cover}}{{name}}</a>{{/current}}</li>{{/series_members}}
</ul></details></td></tr>{{/has_series}}
{{#has_related}}<tr><th>Related</th><td><details class="related"><summary>show</summary><ul>
{{#related}}<li><a href="{{url}}">{{name}}</a></li>{{/related}}
</ul></details></td></tr>{{/has_related}}
</table>
{{#editable}}<div class="patchforms" id="patchforms">
<form method="post" class="patchform patchform-properties" id="patchform-properties">
<input type="hidden" name="csrfmiddlewaretoken" value="{{{csrf_token}}}">
<h3>Patch Properties</h3>
<table class="form">
<tr><th><label for="id_state">Change state:</label></th><td><select name="state" id="id_state">{{#states}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/states}}</select></td></tr>
<tr><th><label for="id_delegate">Delegate to:</label></th><td><select name="delegate" id="id_delegate"><option value="">---------</option>{{#delegates}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/delegates}}</select></td></tr>
<tr><th><label for="id_archived">Archived:</label></th><td><input type="checkbox" name="archived" id="id_archived"{{#archived}} checked{{/archived}}></td></tr>
<tr><th><label for="id_commit_ref">Commit ref:</label></th><td><input type="text" name="commit_ref" id="id_commit_ref" maxlength="255" value="{{commit_ref_value}}"></td></tr>
<tr><td></td><td><input type="submit" value="Update"></td></tr>
</table>
</form>
{{/editable}}
{{#bundling}}{{^editable}}<div class="patchforms">{{/editable}}
<form method="post" class="patchform patchform-bundle" id="patchform-bundle">
<input type="hidden" name="csrfmiddlewaretoken" value="{{{csrf_token}}}">
<h3>Bundling</h3>
<table class="form">
<tr><td><label for="id_name">Create bundle:</label></td><td><input type="text" name="name" id="id_name"> <button type="submit" name="action" value="createbundle">Create</button></td></tr>
{{{bundle_choice}}}
</table>
</form>
{{^editable}}</div>{{/editable}}{{/bundling}}{{#editable}}</div>{{/editable}}
{{#pull_url}}<h2>Pull-request</h2><a class="pull-url" href="{{pull_url}}">{{pull_url}}</a>{{/pull_url}}
{{#has_checks}}<h2>Checks</h2>
<table class="list checks" id="checks">
<thead><tr><th>Context</th><th>Check</th><th>Description</th></tr></thead>
<tbody>{{#checks}}<tr><td>{{user}}/{{context}}</td><td><span class="state {{state}}">{{state}}</span> <small>Updated {{date}} UTC</small></td><td>{{#target_url}}<a href="{{target_url}}">{{/target_url}}{{description}}{{#target_url}}</a>{{/target_url}}</td></tr>
{{/checks}}</tbody></table>{{/has_checks}}
<h2>{{#is_patch}}Commit Message{{/is_patch}}{{^is_patch}}Message{{/is_patch}}</h2>
<div class="submission-message">
<div class="meta"><a href="{{submitter_url}}">{{submitter}}</a> &middot; {{date}} UTC</div>
<pre class="content">{{{content_lines}}}</pre>
</div>
{{#has_comments}}<h2>Comments</h2>{{/has_comments}}
{{#comments}}<section class="comment" id="{{id}}">
<div class="meta"><a class="permalink" href="#{{id}}">#{{number}}</a> {{submitter}} &middot; {{date}} UTC</div>
<div class="comment-status-bar{{#addressed}} addressed{{/addressed}}{{#unaddressed}} unaddressed{{/unaddressed}}">
{{#addressed}}<span class="comment-status">Addressed</span>{{/addressed}}{{#unaddressed}}<span class="comment-status">Unaddressed</span>{{/unaddressed}}
{{#can_edit}}<form method="post" class="comment-action" action="{{form_action}}">
<input type="hidden" name="csrfmiddlewaretoken" value="{{{csrf_token}}}">
<input type="hidden" name="action" value="comment-addressed">
<input type="hidden" name="comment_id" value="{{id}}">
{{#none}}<button type="submit" name="addressed" value="false" data-comment-api="{{api_url}}">Mark Action Required</button>{{/none}}
{{#unaddressed}}<button type="submit" name="addressed" value="true" data-comment-api="{{api_url}}">Mark Addressed</button>{{/unaddressed}}
{{#addressed}}<button type="submit" name="addressed" value="false" data-comment-api="{{api_url}}">Mark Unaddressed</button>{{/addressed}}
</form>{{/can_edit}}
</div>
<pre class="content">{{{lines}}}</pre>
</section>
{{/comments}}
{{#has_diff}}<h2>Patch</h2>
<pre class="diff">{{{diff_lines}}}</pre>{{/has_diff}}
)HTML";

// Upstream's bundle.html, above the bundle's patch list.
const char* const kBundleHead = R"HTML(<h1>Bundle &ldquo;{{name}}&rdquo;</h1>
<p>This bundle contains patches for the <a href="/project/{{linkname}}/list/">{{linkname}}</a> project.{{#owner}} It is <strong>{{visibility}}</strong>.{{/owner}}</p>
<p><a href="mbox/">Download bundle as mbox</a></p>
{{#owner}}<details class="bundle-settings"{{#open}} open{{/open}}><summary>Bundle settings</summary>
<form method="post" class="bundle-settings">
<input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">
<input type="hidden" name="form" value="bundle">
<table class="form">
<tr><th><label for="id_name">Name:</label></th><td><input type="text" name="name" id="id_name" maxlength="50" value="{{name}}" required></td></tr>
<tr><th><label for="id_public">Public:</label></th><td><input type="checkbox" name="public" id="id_public"{{#public}} checked{{/public}}></td></tr>
<tr><td></td><td><button type="submit" name="action" value="update">Update</button> <button type="submit" name="action" value="delete" class="danger">Delete</button></td></tr>
</table>
</form></details>{{/owner}}
)HTML";

const char* const kBundleList = R"HTML(<h1>{{heading}}</h1>
{{#messages}}<ul class="messages">{{#items}}<li class="message {{level}}">{{text}}</li>{{/items}}</ul>{{/messages}}
{{#has_bundles}}<table class="list bundles" id="bundlelist">
<thead><tr><th>Bundle</th><th>Project</th><th>Public</th><th>Patches</th><th>Download</th><th>Delete</th></tr></thead>
<tbody>{{#bundles}}<tr><td><a href="{{url}}">{{name}}</a></td><td><a href="/project/{{linkname}}/list/">{{linkname}}</a></td><td>{{#public}}yes{{/public}}{{^public}}no{{/public}}</td><td>{{count}}</td><td><a href="{{url}}mbox/">mbox</a></td>
<td><form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="hidden" name="form_name" value="deletebundleform"><input type="hidden" name="bundle_id" value="{{id}}"><button type="submit" class="danger">Delete</button></form></td></tr>
{{/bundles}}</tbody></table>{{/has_bundles}}
{{^has_bundles}}<p>No bundles to display.</p>{{/has_bundles}}
<p class="help">Bundles are collections of patches. Create one from a patch list: select patches, type a name under <em>Bundling</em> and press <em>Create</em>.</p>
)HTML";

const char* const kTodoLists = R"HTML(<h1>TODO lists</h1>
{{#has_lists}}<p>These are the projects with patches delegated to you that need action:</p>
<table class="list todo"><thead><tr><th>Project</th><th>Patches</th></tr></thead>
<tbody>{{#lists}}<tr><td><a href="/user/todo/{{linkname}}/">{{name}}</a></td><td>{{count}}</td></tr>{{/lists}}</tbody></table>{{/has_lists}}
{{^has_lists}}<p>There are no patches delegated to you that need action.</p>{{/has_lists}}
)HTML";

// Upstream's project.html.
const char* const kProject = R"HTML(<h1>About {{name}}</h1>
<table class="meta project">
<tr><th>Name</th><td>{{name}}</td></tr>
<tr><th>List address</th><td>{{listemail}}</td></tr>
{{#list_archive_url}}<tr><th>List archive</th><td><a href="{{list_archive_url}}">{{list_archive_url}}</a></td></tr>{{/list_archive_url}}
<tr><th>Maintainer{{^one_maintainer}}s{{/one_maintainer}}</th><td>{{#maintainers}}{{name}}<br>{{/maintainers}}{{^maintainers}}none{{/maintainers}}</td></tr>
<tr><th>Patches</th><td><a href="/project/{{linkname}}/list/">{{open}}</a> (+ <a href="/project/{{linkname}}/list/?archive=true">{{archived}} archived</a>)</td></tr>
{{#web_url}}<tr><th>Website</th><td><a href="{{web_url}}">{{web_url}}</a></td></tr>{{/web_url}}
{{#webscm_url}}<tr><th>Source browser</th><td><a href="{{webscm_url}}">{{webscm_url}}</a></td></tr>{{/webscm_url}}
{{#scm_url}}<tr><th>Source code</th><td><a href="{{scm_url}}">{{scm_url}}</a></td></tr>{{/scm_url}}
</table>
<h2>pwclient</h2>
<p><code>pwclient</code> is a command-line client for Patchwork. To use it with this project, save
<a href="/project/{{linkname}}/pwclientrc/">this project's .pwclientrc</a> as <code>~/.pwclientrc</code>.
<code>git-pw</code> and <code>b4</code> use the <a href="/api/">REST API</a>.</p>
)HTML";

const char* const kAbout = R"HTML(<h1>About patchbay</h1>
<p>patchbay is a Patchwork-compatible patch tracker: it follows a mailing list's patches,
reviews and pull requests, and serves them through Patchwork's web pages, REST API and XML-RPC.</p>
<table class="meta">
<tr><th>Version</th><td>{{version}} (compatible with Patchwork v3.2.1)</td></tr>
<tr><th>REST API</th><td>enabled &middot; <a href="/api/">/api/</a></td></tr>
<tr><th>XML-RPC API</th><td>enabled &middot; <a href="/xmlrpc/">/xmlrpc/</a></td></tr>
{{#has_admins}}<tr><th>Administrators</th><td>{{#admins}}{{#email}}<a href="mailto:{{email}}">{{name}}</a>{{/email}}{{^email}}{{name}}{{/email}}<br>{{/admins}}</td></tr>{{/has_admins}}
</table>
)HTML";

const char* const kNotFound = R"HTML(<h1>Page not found</h1>
<p>There is nothing at <code>{{path}}</code>.</p>
<ul class="links">
<li><a href="/">All projects</a></li>
{{#project}}<li><a href="/project/{{linkname}}/list/">{{name}} patches</a></li>{{/project}}
<li><a href="/about/">About this site</a></li>
</ul>
)HTML";

const char* const kStylesheet = R"CSS(
header.top { flex-wrap: wrap; }
header.top nav:not(.account) a + a { margin-left: 0.8em; }
/* The account links wrap as whole items: a separator never ends a line. */
header.top nav.account { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2em 0.4em; }
header.top .badge { background: #cf222e; color: #fff; border-radius: 1em; padding: 0 0.45em; font-size: 0.8em; }
ul.messages { list-style: none; padding: 0; }
ul.messages li { background: #dafbe1; border: 1px solid #a8e6b8; padding: 0.4em 0.6em; margin-bottom: 0.3em; }
ul.messages li.warning { background: #fff8c5; border-color: #e6d57a; }
div.errors { background: #ffebe9; border: 1px solid #f5b5ad; padding: 0.4em 0.6em; margin-bottom: 0.5em; }
div.filters { margin-bottom: 0.5em; }
#filtersummary { cursor: pointer; }
#filtersummary .filter-action { text-decoration: none; color: #cf222e; }
#filterform { display: flex; gap: 0.6em 1em; flex-wrap: wrap; align-items: center; margin-top: 0.5em; }
#filterform fieldset { border: none; padding: 0; margin: 0; display: inline-flex; gap: 0.4em; }
#filterform fieldset legend { float: left; margin-right: 0.4em; padding: 0; }
.paginator { margin: 0.5em 0; display: flex; flex-wrap: wrap; gap: 0.25em; }
.paginator span { padding: 0.1em 0.45em; border: 1px solid #ddd; background: #fff; }
.paginator .curr { background: #24292f; color: #fff; border-color: #24292f; }
.paginator .prev-na, .paginator .next-na { color: #aaa; }
table.list th a { color: inherit; }
table.list th a.colactive { font-weight: bold; }
table.list td.select, table.list th.select { width: 1.5em; text-align: center; }
td.col-tags, td.col-checks, td.col-date { white-space: nowrap; font-variant-numeric: tabular-nums; }
.patchlistchecks { display: inline-block; min-width: 1.2em; text-align: center; }
.patchlistchecks.success { background: #1a7f37; color: #fff; }
.patchlistchecks.warning { background: #bf8700; color: #fff; }
.patchlistchecks.fail { background: #cf222e; color: #fff; }
td.col-reorder button { padding: 0 0.3em; }
.patchforms { display: flex; flex-wrap: wrap; gap: 1em; margin: 1em 0; }
.patchform { background: #fff; border: 1px solid #e5e5e5; padding: 0.5em 1em; }
.patchform h3 { margin: 0.2em 0 0.5em; }
button.danger { color: #cf222e; }
.submission-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5em 1em; }
.submission-head h1 { margin-bottom: 0.2em; overflow-wrap: anywhere; }
.btn { display: inline-block; border: 1px solid #ccc; background: #fff; padding: 0.1em 0.6em; border-radius: 3px; text-decoration: none; color: #222; }
table.meta td { overflow-wrap: anywhere; }
table.checks .state.success { color: #1a7f37; } table.checks .state.warning { color: #9a6700; }
table.checks .state.fail { color: #cf222e; } table.checks .state.pending { color: #555; }
.submission-message .meta, section.comment .meta { color: #555; margin: 0.3em 0; }
section.comment { margin-top: 1em; }
.comment-status-bar { display: flex; gap: 0.6em; align-items: center; }
.comment-status-bar.addressed .comment-status { color: #1a7f37; font-weight: bold; }
.comment-status-bar.unaddressed .comment-status { color: #9a6700; font-weight: bold; }
form.comment-action { display: inline; }
pre .signed-off-by, pre .acked-by, pre .reviewed-by, pre .tested-by { color: #1a7f37; font-weight: bold; }
pre .nacked-by { color: #cf222e; font-weight: bold; }
pre .from { color: #0969da; }
pre .quote { color: #6e7781; }
pre.diff .p_header { font-weight: bold; } pre.diff .p_add { color: #1a7f37; } pre.diff .p_del { color: #cf222e; }
pre.diff .p_mod { color: #9a6700; } pre.diff .p_chunk { color: #8250df; } pre.diff .p_context { color: #444; }
details.bundle-settings { margin-bottom: 1em; }
@media (max-width: 700px) {
  main { padding: 0.5em; }
  table.list th, table.list td { padding: 0.3em 0.25em; }
  table.patches .col-series, table.patches .col-tags { display: none; }
  table.patches td.col-delegate { overflow-wrap: anywhere; font-size: 0.85em; }
  table.patches .col-checks { display: none; }
  table.patches td.col-name { overflow-wrap: anywhere; }
  table.patches td.col-date { white-space: nowrap; font-size: 0.85em; }
  h1 { font-size: 1.4em; }
  table.list { font-size: 0.95em; }
  table.meta th, table.meta td { display: block; }
  table.meta th { padding-top: 0.4em; }
  table.bundles th:nth-child(2), table.bundles td:nth-child(2), table.bundles th:nth-child(5), table.bundles td:nth-child(5) { display: none; }
  #filterform label { display: block; width: 100%; }
  #filterform input[type=text], #filterform input[type=search], #filterform select { max-width: 100%; }
  .patchform { width: 100%; box-sizing: border-box; }
  .patchform input[type=text], .patchform select { max-width: 12em; }
  table.form th { text-align: left; }
  header.top nav.account { gap: 0.2em 1em; }
  header.top nav.account .sep { display: none; }
  #filterform fieldset label { width: auto; white-space: nowrap; }
  .patchform td:first-child { white-space: nowrap; }
}
@media (max-width: 420px) {
  /* Who it is delegated to matters more for triage than who sent it or when. */
  table.patches .col-submitter, table.patches .col-date { display: none; }
}
)CSS";

// Select all, submitter and delegate autocomplete, and the comment buttons through the
// REST API (upstream's behaviour); each works as a plain form without it.
const char* const kScript = R"JS((function () {
  var all = document.getElementById('check-all');
  if (all) {
    all.addEventListener('change', function () {
      var boxes = document.querySelectorAll('#patchlist tbody input[type=checkbox]');
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
    });
  }
  // The submitter and delegate filters suggest from /submitter/ and
  // /delegate/ (upstream's selectize); typed text works as it is.
  var suggest = function (inputId, listId, url, label) {
    var input = document.getElementById(inputId);
    var options = document.getElementById(listId);
    if (!input || !options || !window.fetch) return;
    var fixed = options.innerHTML;  // the server's own suggestions stay first
    var last = '';
    input.addEventListener('input', function () {
      var q = input.value;
      if (q.length < 3 || q === last || /^\d+$/.test(q)) return;
      last = q;
      fetch(url + '?l=10&q=' + encodeURIComponent(q)).then(function (r) {
        return r.text();
      }).then(function (text) {
        var list = text ? JSON.parse(text) : [];
        options.innerHTML = fixed;
        list.forEach(function (p) {
          var o = document.createElement('option');
          o.value = p.pk;
          o.textContent = label(p);
          options.appendChild(o);
        });
      }).catch(function () {});
    });
  };
  suggest('submitter_input', 'submitter_options', '/submitter/', function (p) {
    return (p.name ? p.name + ' ' : '') + '<' + p.email + '>';
  });
  suggest('delegate_input', 'delegate_options', '/delegate/', function (p) { return p.name; });
  // A bundle's owner drags rows to reorder (upstream's reorder form; the
  // up/down buttons do the same without JavaScript).
  var body = document.querySelector('#patchlist tbody');
  if (body && document.querySelector('#patchlist td.col-reorder')) {
    var dragged = null;
    var rows = body.querySelectorAll('tr[id^="patch_row:"]');
    var start = rows.length ? rows[0].id.split(':')[1] : null;
    for (var r = 0; r < rows.length; r++) {
      rows[r].draggable = true;
      rows[r].addEventListener('dragstart', function (e) { dragged = e.currentTarget; });
      rows[r].addEventListener('dragover', function (e) { e.preventDefault(); });
      rows[r].addEventListener('drop', function (e) {
        e.preventDefault();
        var target = e.currentTarget;
        if (!dragged || dragged === target) return;
        var after = dragged.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING;
        body.insertBefore(dragged, after ? target.nextSibling : target);
        var f = document.createElement('form');
        f.method = 'post';
        var add = function (name, value) {
          var i = document.createElement('input');
          i.type = 'hidden'; i.name = name; i.value = value; f.appendChild(i);
        };
        add('csrfmiddlewaretoken', document.querySelector('#patchlistform input[name=csrfmiddlewaretoken]').value);
        add('form', 'reorderform');
        add('order_start', start);
        var now = body.querySelectorAll('tr[id^="patch_row:"]');
        for (var k = 0; k < now.length; k++) add('neworder', now[k].id.split(':')[1]);
        document.body.appendChild(f);
        f.submit();
      });
    }
  }
  var buttons = document.querySelectorAll('button[data-comment-api]');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener('click', function (e) {
      var b = e.currentTarget;
      if (!window.fetch) return;
      e.preventDefault();
      fetch(b.getAttribute('data-comment-api'), {
        method: 'PATCH', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': b.form.elements.csrfmiddlewaretoken.value},
        body: JSON.stringify({addressed: b.value})
      }).then(function (r) {
        if (r.ok) window.location.reload(); else b.form.submit();
      }).catch(function () { b.form.submit(); });
    });
  }
})();
)JS";

}  // namespace pb::web::ui_templates
