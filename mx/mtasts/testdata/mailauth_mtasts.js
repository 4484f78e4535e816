// Runs Node mailauth's MTA-STS functions (strict mode, RFC 8461 rules) over
// the cases the Go differential test writes to stdin, and prints one result
// per case as JSON. Used by peer_test.go; NODE_PATH must point at the
// node_modules holding mailauth.
'use strict';

const { resolvePolicy, parsePolicy, validateMx } = require('mailauth/lib/mta-sts');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => (input += chunk));
process.stdin.on('end', async () => {
    const { records, policies } = JSON.parse(input);
    const out = { records: [], policies: [] };
    for (const txts of records) {
        const resolver = async (name, type) => {
            if (type !== 'TXT' || txts === null) {
                const err = new Error('not found');
                err.code = 'ENOTFOUND';
                throw err;
            }
            return txts.map(t => [t]);
        };
        try {
            const id = await resolvePolicy('example.com', { resolver, strict: true });
            out.records.push({ id: id || '' });
        } catch (err) {
            out.records.push({ id: '', error: err.code || err.message });
        }
    }
    for (const c of policies) {
        let res;
        try {
            const p = parsePolicy(c.text, { strict: true });
            res = { ok: true, mode: p.mode, mx: p.mx || [], maxAge: p.maxAge, matches: [] };
            for (const h of c.hosts) {
                res.matches.push(validateMx(h, p, { strict: true }).valid);
            }
        } catch (err) {
            res = { ok: false, error: err.code || err.message };
        }
        out.policies.push(res);
    }
    process.stdout.write(JSON.stringify(out));
});
