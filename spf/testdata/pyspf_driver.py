# Differential-test driver for pyspf (Debian python3-spf), used by
# diff_test.go. Reads {"cases": [{"zone": {...}, "queries": [...]}]} as JSON
# on stdin, replaces pyspf's DNS lookup with the case's zone data, and writes
# one [result, explanation] pair per query as JSON on stdout.
import json
import sys

import spf

zone = {}


def lookup(name, qtype, strict=True, timeout=None):
    name = name.rstrip('.').lower()
    node = zone.get(name)
    if node is None:
        return []
    if node.get('timeout'):
        raise spf.TempError('DNS timeout')
    out = []
    for v in node.get(qtype) or []:
        if qtype in ('TXT', 'SPF'):
            v = [v.encode('utf-8')]
        elif qtype == 'MX':
            v = (v[0], v[1])
        out.append(((name, qtype), v))
    return out


spf.DNSLookup = lookup


def main():
    global zone
    data = json.load(sys.stdin)
    results = []
    for case in data['cases']:
        zone = {k.lower(): v for k, v in case['zone'].items()}
        out = []
        for q in case['queries']:
            query = spf.query(i=q['ip'], s=q['sender'], h=q['helo'])
            query.set_default_explanation('DEFAULT')
            res, _, exp = query.check()
            res = {'unknown': 'permerror', 'error': 'temperror'}.get(res, res)
            out.append([res, exp])
        results.append(out)
    json.dump(results, sys.stdout)


main()
