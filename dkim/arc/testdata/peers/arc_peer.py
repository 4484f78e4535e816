# ARC peer for interop_test.go: dkimpy (python3-dkim) arc_sign/arc_verify.
# One JSON request per line on stdin, one JSON answer per line on stdout.
import sys, json, base64, dkim

for line in sys.stdin:
    req = json.loads(line)
    recs = {k.lower().rstrip('.'): v for k, v in req.get('records', {}).items()}

    def dnsfunc(name, timeout=5):
        n = name.decode() if isinstance(name, bytes) else name
        v = recs.get(n.lower().rstrip('.'))
        return v.encode() if v is not None else None

    msg = base64.b64decode(req['msg'])
    try:
        if req['op'] == 'verify':
            cv, results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc, minkey=1024)
            # arc_verify answers None for a chain whose newest seal says cv=fail.
            out = {'cv': cv.decode() if cv else 'fail', 'reason': str(reason)}
        else:
            hdrs = dkim.arc_sign(msg, req['selector'].encode(), req['domain'].encode(),
                                 req['key'].encode(), req['srvid'].encode(),
                                 signature_algorithm=req['alg'].encode(), timestamp=req['t'])
            if not hdrs:
                raise Exception('arc_sign produced no set')
            out = {'set': base64.b64encode(b''.join(hdrs)).decode()}
    except Exception as e:
        out = {'error': repr(e)[:500]}
    sys.stdout.write(json.dumps(out) + '\n')
    sys.stdout.flush()
