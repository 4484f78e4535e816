// ARC peer for interop_test.go: Node mailauth (lib/dkim/verify + lib/arc).
// One JSON request per line on stdin, one JSON answer per line on stdout.
const readline = require('readline');
const { dkimVerify } = require('mailauth/lib/dkim/verify');
const { arc, sealMessage } = require('mailauth/lib/arc');

const rl = readline.createInterface({ input: process.stdin });

(async () => {
    for await (const line of rl) {
        const req = JSON.parse(line);
        const recs = {};
        for (const [k, v] of Object.entries(req.records || {})) {
            recs[k.toLowerCase().replace(/\.$/, '')] = v;
        }
        const resolver = async name => {
            const v = recs[name.toLowerCase().replace(/\.$/, '')];
            if (v === undefined) {
                const e = new Error('no such record');
                e.code = 'ENOTFOUND';
                throw e;
            }
            return [[v]];
        };
        const msg = Buffer.from(req.msg, 'base64');
        let out;
        try {
            if (req.op === 'verify') {
                const r = await dkimVerify(msg, { resolver });
                const a = await arc(r.arc, { resolver });
                out = { cv: a.status.result, reason: String(a.status.comment || '') };
            } else {
                const set = await sealMessage(msg, {
                    signingDomain: req.domain,
                    selector: req.selector,
                    privateKey: req.key,
                    cv: req.cv,
                    authResults: req.authResults,
                    signTime: new Date(req.t * 1000)
                });
                if (!set.length) {
                    throw new Error('sealMessage produced no set');
                }
                out = { set: set.toString('base64') };
            }
        } catch (e) {
            out = { error: String((e && e.stack) || e).slice(0, 500) };
        }
        process.stdout.write(JSON.stringify(out) + '\n');
    }
})();
