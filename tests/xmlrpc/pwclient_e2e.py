#!/usr/bin/env python3
"""End-to-end check of the XML-RPC API with the client pwclient uses.

Makes the calls pwclient makes (list, info/get, search by hash, update with
HTTP Basic auth, check-create, view = patch_get_mbox) through Python's
standard xmlrpc.client.ServerProxy against a running server, and prints
"N passed, M failed". Exit status 0 only if nothing failed.

    pwclient_e2e.py --url http://127.0.0.1:8000/xmlrpc/ [--user U --password P]

The server needs at least one project with one patch. The write checks
(patch_set, check_create) need --user/--password of an account that may edit
that patch (e.g. a maintainer of its project); without them they are skipped.
patch_set puts state and archived back as they were (a NULL commit_ref comes
back as '', which reads the same over XML-RPC).
"""

import argparse
import sys
import traceback
import urllib.parse
import xmlrpc.client

PATCH_KEYS = ['id', 'date', 'filename', 'msgid', 'name', 'project', 'project_id', 'state',
              'state_id', 'archived', 'submitter', 'submitter_id', 'delegate', 'delegate_id',
              'commit_ref', 'hash']
CHECK_KEYS = ['id', 'date', 'patch', 'patch_id', 'user', 'user_id', 'state', 'target_url',
              'description', 'context']


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, name, fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 -- every failure is reported, none stops the run
            self.failed += 1
            print('FAIL %s' % name)
            traceback.print_exc(limit=2, file=sys.stdout)
        else:
            self.passed += 1
            print('ok   %s' % name)

    def skip(self, name, why):
        self.skipped += 1
        print('skip %s (%s)' % (name, why))


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_fault(fn, text):
    try:
        fn()
    except xmlrpc.client.Fault as f:
        expect(f.faultCode == 1, 'fault code %r' % f.faultCode)
        expect(text in f.faultString, 'fault %r lacks %r' % (f.faultString, text))
        return
    raise AssertionError('no fault (wanted %r)' % text)


def with_credentials(url, user, password):
    # pwclient puts the credentials in the URL; ServerProxy turns them into
    # "Authorization: Basic ...".
    parts = urllib.parse.urlsplit(url)
    netloc = '%s:%s@%s' % (urllib.parse.quote(user, safe=''),
                           urllib.parse.quote(password, safe=''), parts.hostname)
    if parts.port:
        netloc += ':%d' % parts.port
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--url', required=True, help='http://HOST:PORT/xmlrpc/')
    ap.add_argument('--user')
    ap.add_argument('--password')
    args = ap.parse_args()

    rpc = xmlrpc.client.ServerProxy(args.url)
    r = Runner()
    ctx = {}

    def version():
        expect(rpc.pw_rpc_version() == [1, 3, 0], 'version')
    r.check('pw_rpc_version', version)

    def projects():
        projs = rpc.project_list('', 0)
        expect(projs, 'no projects on the server')
        expect(sorted(projs[0]) == ['id', 'linkname', 'name'], projs[0])
        ctx['project'] = projs[0]
        linkname = projs[0]['linkname']
        expect(any(p['id'] == projs[0]['id'] for p in rpc.project_list(linkname.upper(), 0)),
               'case-insensitive search')
        expect(rpc.project_get(projs[0]['id']) == projs[0], 'project_get')
        expect(rpc.project_get(2 ** 30) == {}, 'unknown project is {}')
        expect(len(rpc.project_list('', 1)) == 1, 'max_count 1')
        expect(rpc.project_list('', -1) == [projs[-1]], 'max_count -1 is the last')
    r.check('project_list/project_get', projects)

    def patches():
        pid = ctx['project']['id']
        # pwclient list: project filter plus max_count.
        lst = rpc.patch_list({'project_id': pid, 'max_count': 20})
        expect(lst, 'no patches in project %d' % pid)
        p = lst[0]
        expect(list(p) == PATCH_KEYS, list(p))
        for key in ('date', 'project', 'state', 'submitter', 'delegate'):
            expect(isinstance(p[key], xmlrpc.client.Binary), '%s is base64' % key)
        expect(isinstance(p['archived'], bool), 'archived is a boolean')
        ctx['patch'] = p
        dates = [x['date'].data for x in lst]
        expect(dates == sorted(dates), 'ordered by date')
        expect(rpc.patch_list({'project_id': pid, 'max_count': -1}) ==
               rpc.patch_list({'project_id': pid})[-1:], 'max_count -1')
        expect(rpc.patch_get(p['id']) == p, 'patch_get equals the list entry')
        expect(rpc.patch_get(2 ** 30) == {}, 'unknown patch is {}')
        # pwclient search: name__icontains.
        word = p['name'].split()[-1]
        found = rpc.patch_list({'project_id': pid, 'name__icontains': word.upper()})
        expect(any(x['id'] == p['id'] for x in found), 'name__icontains')
        expect(rpc.patch_list({'no_such_field': 1}) == [], 'unknown field gives []')
        expect(rpc.patch_list({'msgid': p['msgid']})[0]['id'] == p['id'], 'msgid filter')
        st = rpc.patch_list({'project_id': pid, 'state_id': p['state_id'],
                             'archived': p['archived']})
        expect(all(x['state_id'] == p['state_id'] for x in st), 'state filter')
    r.check('patch_list/patch_get', patches)

    def hashes():
        p = ctx['patch']
        if not p['hash']:
            return
        try:
            got = rpc.patch_get_by_project_hash(ctx['project']['linkname'], p['hash'])
            expect(got.get('hash') == p['hash'], 'patch_get_by_project_hash')
        except xmlrpc.client.Fault as f:  # the same diff sent twice: upstream faults too
            expect('MultipleObjectsReturned' in f.faultString, f.faultString)
        try:
            got = rpc.patch_get_by_hash(p['hash'])
            expect(got.get('hash') == p['hash'], 'patch_get_by_hash')
        except xmlrpc.client.Fault as f:  # several patches share it: upstream faults too
            expect('MultipleObjectsReturned' in f.faultString, f.faultString)
        expect(rpc.patch_get_by_hash('0' * 40) == {}, 'unknown hash is {}')
    r.check('patch_get_by_hash', hashes)

    def people_and_states():
        p = ctx['patch']
        person = rpc.person_get(p['submitter_id'])
        expect(sorted(person) == ['email', 'id', 'name', 'user'], person)
        expect(any(x['id'] == person['id'] for x in rpc.person_list(person['email'], 0)),
               'person_list by email')
        states = rpc.state_list('', 0)
        expect(any(s['id'] == p['state_id'] for s in states), 'state_list')
        expect(rpc.state_get(p['state_id'])['name'] == p['state'].data.decode(), 'state_get')
        ctx['states'] = states
    r.check('person_list/state_list', people_and_states)

    def mbox_and_diff():
        p = ctx['patch']
        mbox = rpc.patch_get_mbox(p['id'])
        expect(mbox.startswith('From patchwork '), mbox[:40])
        expect('X-Patchwork-Id: %d\n' % p['id'] in mbox, 'X-Patchwork-Id')
        diff = rpc.patch_get_diff(p['id'])
        expect(isinstance(diff, str), 'diff is a string')
        expect(rpc.patch_get_mbox(2 ** 30) == '', 'unknown patch mbox is ""')
    r.check('patch_get_mbox/patch_get_diff', mbox_and_diff)

    def checks():
        p = ctx['patch']
        summary = rpc.patch_check_get(p['id'])
        expect(sorted(summary) == ['checks', 'state', 'total'], summary)
        expect(summary['total'] == len(summary['checks']), 'total')
        rpc.check_list({'patch_id': p['id'], 'max_count': 5})
    r.check('patch_check_get/check_list', checks)

    def faults():
        expect_fault(lambda: rpc.nosuch(), 'method "nosuch" is not supported')
        expect_fault(lambda: rpc.patch_set(ctx['patch']['id'], {'archived': False}),
                     'No authentication credentials given')
        if args.user:
            bad = xmlrpc.client.ServerProxy(with_credentials(args.url, args.user, 'wrong' + 'x'))
            expect_fault(lambda: bad.patch_set(ctx['patch']['id'], {}),
                         'Invalid username/password')
    r.check('faults', faults)

    if not (args.user and args.password):
        r.skip('patch_set', 'no --user/--password')
        r.skip('check_create', 'no --user/--password')
    else:
        auth = xmlrpc.client.ServerProxy(with_credentials(args.url, args.user, args.password))

        def update():
            p = ctx['patch']
            other = next(s for s in ctx['states'] if s['id'] != p['state_id'])
            # pwclient update -s STATE -c COMMIT -a yes
            expect(auth.patch_set(p['id'], {'state': other['id'], 'commit_ref': 'e2e-commit',
                                            'archived': not p['archived']}) is True, 'True')
            now = rpc.patch_get(p['id'])
            expect(now['state_id'] == other['id'], 'state changed')
            expect(now['commit_ref'] == 'e2e-commit', 'commit_ref changed')
            expect(now['archived'] == (not p['archived']), 'archived changed')
            auth.patch_set(p['id'], {'state': p['state_id'], 'commit_ref': p['commit_ref'],
                                     'archived': p['archived']})
            expect(rpc.patch_get(p['id'])['state_id'] == p['state_id'], 'restored')
        r.check('patch_set', update)

        def check_create():
            p = ctx['patch']
            before = rpc.patch_check_get(p['id'])
            expect(auth.check_create(p['id'], 'e2e-context', 'success',
                                     'https://ci.example.com/1', 'from pwclient_e2e') is True,
                   'True')
            after = rpc.patch_check_get(p['id'])
            mine = [c for c in after['checks'] if c['context'] == 'e2e-context']
            expect(mine and mine[-1]['state'] == 'success', after)
            expect(list(mine[-1]) == CHECK_KEYS, list(mine[-1]))
            expect(after['total'] >= before['total'], 'total')
            expect(rpc.check_get(mine[-1]['id'])['description'] == 'from pwclient_e2e',
                   'check_get')
            expect_fault(lambda: auth.check_create(p['id'], 'e2e', 'bogus'),
                         'Invalid check state: bogus')
        r.check('check_create', check_create)

    if r.skipped:
        print('%d skipped' % r.skipped)
    print('%d passed, %d failed' % (r.passed, r.failed))
    return 1 if r.failed else 0


if __name__ == '__main__':
    sys.exit(main())
