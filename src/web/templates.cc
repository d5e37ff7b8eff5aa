#include "web/templates.h"

namespace pb::web::templates {

const char* const kLayout = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} - patchbay</title>
<link rel="stylesheet" href="/static/patchbay.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">patchbay</a>
  {{#project}}<span class="project">{{name}}</span>
  <nav><a href="/project/{{linkname}}/list/">Patches</a> <a href="/project/{{linkname}}/bundles/">Bundles</a> <a href="/project/{{linkname}}/">About this project</a></nav>{{/project}}
  <nav class="account">{{{account_nav}}}</nav>
</header>
<main>
{{{body}}}
</main>
<footer>patchbay, a Patchwork-compatible patch tracker &middot; <a href="/about/">about</a> &middot; <a href="/api/">REST API</a> &middot; <a href="/xmlrpc/">XML-RPC</a></footer>
<script src="/static/patchbay.js" defer></script>
</body>
</html>
)HTML";

// The navbar's account links: the visitor's name, to-do count and logout
// form, or the login links. Rendered on its own because it is the part of
// a cached page that differs per visitor (web/spliced_page.h).
const char* const kAccountNav = R"HTML({{#account}}<span>Logged in as <a href="/user/"><strong>{{username}}</strong></a></span> <span class="sep">&middot;</span> <a href="/user/todo/">todo{{#todo_count}} <span class="badge">{{todo_count}}</span>{{/todo_count}}</a> <span class="sep">&middot;</span> <a href="/user/bundles/">bundles</a> <span class="sep">&middot;</span> <a href="/user/">profile</a> <span class="sep">&middot;</span> <form class="logout" method="post" action="/user/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><button type="submit">logout</button></form>{{/account}}{{^account}}<a href="/user/login/">login</a> <span class="sep">&middot;</span> <a href="/register/">register</a> <span class="sep">&middot;</span> <a href="/mail/">mail settings</a>{{/account}})HTML";

const char* const kProjectList = R"HTML(<h1>Projects</h1>
{{#has_projects}}
<table class="list">
<thead><tr><th>Project</th><th>Name</th><th>List</th></tr></thead>
<tbody>
{{#projects}}<tr><td><a href="/project/{{linkname}}/list/">{{linkname}}</a></td><td>{{name}}</td><td>{{listid}}</td></tr>
{{/projects}}</tbody>
</table>
{{/has_projects}}
{{^has_projects}}<p>No projects yet. Create one with <code>patchbay project create</code>.</p>{{/has_projects}}
)HTML";

const char* const kPatchList = R"HTML(<h1>{{project_name}} <small>patches</small></h1>
<form class="filters" method="get" action="">
  <label>State <select name="state">
    <option value=""{{#state_default}} selected{{/state_default}}>Action required</option>
    <option value="*"{{#state_any}} selected{{/state_any}}>Any</option>
    {{#states}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/states}}
  </select></label>
  <label>Archived <select name="archive">
    <option value=""{{#archive_no}} selected{{/archive_no}}>No</option>
    <option value="true"{{#archive_yes}} selected{{/archive_yes}}>Yes</option>
    <option value="both"{{#archive_both}} selected{{/archive_both}}>Both</option>
  </select></label>
  <label>Search <input type="search" name="q" value="{{q}}"></label>
  {{#series}}<input type="hidden" name="series" value="{{series}}">{{/series}}
  <button type="submit">Filter</button>
</form>
<p class="count">{{total}} patch{{^one}}es{{/one}}{{#series}} in series {{series}}{{/series}}</p>
<table class="list patches">
<thead><tr><th>Patch</th><th>Series</th><th title="Acked-by / Reviewed-by / Tested-by">A/R/T</th><th title="Success / Warning / Fail">S/W/F</th><th>Date</th><th>Submitter</th><th>Delegate</th><th>State</th></tr></thead>
<tbody>
{{#patches}}<tr id="patch_row:{{id}}">
<td><a href="{{url}}">{{name}}</a></td>
<td>{{#series_id}}<a href="?series={{series_id}}">{{series_name}}</a>{{/series_id}}</td>
<td class="tags"><span title="{{acked_n}} Acked-by / {{reviewed_n}} Reviewed-by / {{tested_n}} Tested-by">{{acked}} {{reviewed}} {{tested}}</span></td>
<td class="checks"><span title="Success / Warning / Fail"><span class="check-success">{{success}}</span> <span class="check-warning">{{warning}}</span> <span class="check-fail">{{fail}}</span></span></td>
<td class="date">{{date}}</td>
<td><a href="?submitter={{submitter_id}}">{{submitter}}</a></td>
<td>{{delegate}}</td>
<td class="state">{{state}}</td>
</tr>
{{/patches}}</tbody>
</table>
<nav class="pages">{{#prev}}<a href="{{prev}}">&laquo; previous</a>{{/prev}} page {{page}} of {{pages}} {{#next}}<a href="{{next}}">next &raquo;</a>{{/next}}</nav>
)HTML";

const char* const kPatchDetail = R"HTML(<h1>{{name}}</h1>
<table class="meta">
<tr><th>Message ID</th><td><code>{{msgid}}</code></td></tr>
<tr><th>State</th><td>{{state}}{{#archived}}, archived{{/archived}}</td></tr>
<tr><th>Submitter</th><td>{{submitter}}</td></tr>
<tr><th>Date</th><td>{{date}} UTC</td></tr>
{{#delegate}}<tr><th>Delegated to</th><td>{{delegate}}</td></tr>{{/delegate}}
{{#commit_ref}}<tr><th>Commit</th><td><code>{{commit_ref}}</code></td></tr>{{/commit_ref}}
{{#pull_url}}<tr><th>Pull request</th><td><code>{{pull_url}}</code></td></tr>{{/pull_url}}
{{#hash}}<tr><th>Hash</th><td><code>{{hash}}</code></td></tr>{{/hash}}
<tr><th>Download</th><td><a href="mbox/">mbox</a>{{#has_diff}} | <a href="raw/">diff</a>{{/has_diff}}{{#series_id}} | <a href="mbox/?series={{series_id}}">with dependencies</a> | <a href="/series/{{series_id}}/mbox/">series</a>{{/series_id}}</td></tr>
</table>
{{#has_series}}<section class="series"><h2>Series{{#series_name}}: {{series_name}}{{/series_name}}</h2><ol>
{{#series_patches}}<li{{#current}} class="current"{{/current}}><a href="{{url}}">{{name}}</a></li>{{/series_patches}}
</ol></section>{{/has_series}}
<details class="headers"><summary>Headers</summary><pre>{{headers}}</pre></details>
<h2>Commit message</h2>
<pre class="content">{{content}}</pre>
{{#comments}}<section class="comment"><h3>{{submitter}} <small>{{date}} UTC</small></h3><pre class="content">{{content}}</pre></section>
{{/comments}}
{{#has_diff}}<h2>Diff</h2>
<pre class="diff">{{#diff_lines}}<span class="{{kind}}">{{text}}</span>
{{/diff_lines}}</pre>{{/has_diff}}
)HTML";

const char* const kCoverDetail = R"HTML(<h1>{{name}}</h1>
<table class="meta">
<tr><th>Message ID</th><td><code>{{msgid}}</code></td></tr>
<tr><th>Submitter</th><td>{{submitter}}</td></tr>
<tr><th>Date</th><td>{{date}} UTC</td></tr>
<tr><th>Download</th><td><a href="mbox/">mbox</a>{{#series_id}} | <a href="/series/{{series_id}}/mbox/">series</a> | <a href="/project/{{linkname}}/list/?series={{series_id}}">patches</a>{{/series_id}}</td></tr>
</table>
<details class="headers"><summary>Headers</summary><pre>{{headers}}</pre></details>
<pre class="content">{{content}}</pre>
{{#comments}}<section class="comment"><h3>{{submitter}} <small>{{date}} UTC</small></h3><pre class="content">{{content}}</pre></section>
{{/comments}}
)HTML";

// Upstream's patchwork/login.html around Django's AuthenticationForm.
const char* const kLogin = R"HTML(<h1>Sign in to Patchwork</h1>
<form method="post" class="login">
<input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">
<input type="hidden" name="next" value="{{next}}">
<table class="form loginform">
<tr><th colspan="2" class="headerrow">login</th></tr>
{{#error}}<tr><td colspan="2"><ul class="errorlist nonfield"><li>{{error}}</li></ul></td></tr>
{{/error}}<tr><th><label for="id_username">Username:</label></th><td>{{#username_required}}<ul class="errorlist"><li>This field is required.</li></ul>{{/username_required}}<input type="text" name="username" value="{{username}}" autofocus autocapitalize="none" autocomplete="username" maxlength="150" required id="id_username"></td></tr>
<tr><th><label for="id_password">Password:</label></th><td>{{#password_required}}<ul class="errorlist"><li>This field is required.</li></ul>{{/password_required}}<input type="password" name="password" autocomplete="current-password" required id="id_password"></td></tr>
<tr><td></td><td class="submitrow"><input type="submit" value="Login"></td></tr>
</table>
</form>
<p class="login-links"><a href="/user/password-reset/">Forgot your password?</a> &middot; <a href="/register/">Register an account</a></p>
)HTML";

// Upstream's patchwork/profile.html: who you are and the API token.
const char* const kProfile = R"HTML(<h1>Your Profile</h1>
{{#maintainer_of}}<p>Maintainer of {{#projects}}<a href="/project/{{linkname}}/list/">{{linkname}}</a>{{^last}}, {{/last}}{{/projects}}.</p>
{{/maintainer_of}}<table class="meta">
<tr><th>Username</th><td id="username">{{username}}</td></tr>
{{#name}}<tr><th>Name</th><td>{{name}}</td></tr>
{{/name}}<tr><th>Email</th><td id="email">{{email}}</td></tr>
</table>
<h2>Todo</h2>
<p>Your <a href="/user/todo/">todo list</a> contains patches that have been delegated to you.
{{#todo}}You have {{count}} patch{{#plural}}es{{/plural}} in your todo list.{{/todo}}{{^todo}}You have no patches in your todo list at present.{{/todo}}</p>
<h2>Bundles</h2>
{{#bundles}}<p>You have the following bundle{{#plural}}s{{/plural}}:</p>
<ul class="bundles">{{#list}}<li><a href="{{url}}">{{name}}</a></li>{{/list}}</ul>
<p>Visit the <a href="/user/bundles/">bundles page</a> to manage your bundles.</p>{{/bundles}}{{^bundles}}<p>You have no bundles.</p>{{/bundles}}
<h2>Authentication</h2>
<table class="form">
<tr><th>API Token:</th><td>{{#token}}<input id="token" style="width: 25em; max-width: calc(100vw - 8em);" readonly value="{{token}}">{{/token}}{{^token}}none yet{{/token}}</td></tr>
<tr><th></th><td><form method="post" action="/user/generate-token/"><input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}"><input type="submit" value="{{#token}}Regenerate token{{/token}}{{^token}}Generate token{{/token}}"></form></td></tr>
</table>
<p>Use the token with <code>git-pw</code> or any REST client: <code>Authorization: Token &lt;token&gt;</code>.</p>
)HTML";

const char* const kStylesheet = R"CSS(body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
header.top { background: #24292f; color: #fff; padding: 0.6em 1em; display: flex; gap: 1em; align-items: baseline; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: bold; font-size: 1.2em; }
header.top nav a { opacity: 0.85; }
header.top nav.account { margin-left: auto; }
header.top form.logout { display: inline; }
header.top form.logout button { background: none; border: none; padding: 0; color: #fff; opacity: 0.85; font: inherit; cursor: pointer; }
table.form th { text-align: right; padding-right: 0.5em; vertical-align: top; font-weight: normal; }
table.form th.headerrow { text-align: left; font-weight: bold; }
.form-help { color: #666; font-size: 0.85em; max-width: 30em; }
table.form input, form.linkform input[type=email], form.maintainerform input[type=text] { max-width: 100%; box-sizing: border-box; }
table.listing.linked-emails td, table.listing.maintainers td { padding-right: 1em; }
form.linkform, form.maintainerform { margin: 0.8em 0; }
ul.errorlist { color: #cf222e; margin: 0; padding-left: 1.2em; }
main { padding: 1em; }
footer { padding: 1em; color: #666; font-size: 0.85em; }
table.list { border-collapse: collapse; width: 100%; background: #fff; }
table.list th, table.list td { border-bottom: 1px solid #e5e5e5; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
table.list thead th { background: #f0f0f0; position: sticky; top: 0; }
table.meta th { text-align: left; padding-right: 1em; color: #555; font-weight: normal; }
td.date, td.tags { white-space: nowrap; font-variant-numeric: tabular-nums; }
.check-success { color: #1a7f37; } .check-warning { color: #9a6700; } .check-fail { color: #cf222e; }
form.filters { display: flex; gap: 1em; flex-wrap: wrap; margin-bottom: 0.5em; }
pre { background: #fff; border: 1px solid #e5e5e5; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
pre.diff { white-space: pre; }
pre.diff .add { color: #1a7f37; } pre.diff .del { color: #cf222e; } pre.diff .hunk { color: #8250df; } pre.diff .file { font-weight: bold; }
section.series li.current { font-weight: bold; }
nav.pages { margin-top: 0.5em; }
)CSS";

}  // namespace pb::web::templates
