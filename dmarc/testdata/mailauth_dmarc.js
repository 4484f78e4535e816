// Runs Node mailauth's DMARC evaluation (RFC 9989 tree walk) over test
// vectors given as JSON on stdin, with an in-memory resolver, and prints
// one JSON result per case. Used by peer_test.go.
'use strict';

const { evaluateDmarc } = require('mailauth/lib/dmarc/verify');

const fail = code => {
    const err = new Error(code);
    err.code = code;
    return err;
};

let input = '';
process.stdin.on('data', d => (input += d));
process.stdin.on('end', async () => {
    const { cases } = JSON.parse(input);
    const out = [];
    for (const c of cases) {
        const txt = c.txt || {};
        const exists = new Set(c.exists || []);
        const servfail = new Set(c.servfail || []);
        const resolver = async (name, type) => {
            name = name.toLowerCase().replace(/\.$/, '');
            if (servfail.has(name)) {
                throw fail('ESERVFAIL');
            }
            if (type === 'TXT') {
                if (txt[name]) {
                    return txt[name].map(v => [v]);
                }
                throw fail('ENOTFOUND');
            }
            if (type === 'A' && exists.has(name)) {
                return ['192.0.2.1'];
            }
            throw fail('ENOTFOUND');
        };
        try {
            const { response } = await evaluateDmarc({
                headerFrom: 'user@' + c.from,
                spfDomains: c.spf || [],
                dkimDomains: c.dkim || [],
                resolver,
                strict: !c.loose
            });
            out.push({
                result: response.status.result,
                policy: response.policy || '',
                policyDomain: response.policyDomain || '',
                spfAligned: !!(response.alignment && response.alignment.spf.result),
                dkimAligned: !!(response.alignment && response.alignment.dkim.result)
            });
        } catch (err) {
            out.push({ result: 'exception', error: err.message });
        }
    }
    process.stdout.write(JSON.stringify(out));
});
