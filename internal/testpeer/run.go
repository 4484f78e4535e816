package testpeer

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NodePrefix is where .ci/install-peers installs the Node peers unless
// the MAILSMITH_NODE_PREFIX environment variable names another folder.
const NodePrefix = "/opt/mailsmith-node"

// Node returns the node program and the node_modules folder of the Node
// peers (under $MAILSMITH_NODE_PREFIX, or NodePrefix) after checking that
// each of files, paths inside node_modules such as
// "mailauth/lib/mta-sts.js", exists; otherwise it ends the test as
// Missing does. pkg names what installs the modules ("npm mailauth").
func Node(t testing.TB, pkg string, files ...string) (node, modules string) {
	t.Helper()
	node = Program(t, "node", "Debian nodejs")
	prefix := os.Getenv("MAILSMITH_NODE_PREFIX")
	if prefix == "" {
		prefix = NodePrefix
	}
	modules = filepath.Join(prefix, "node_modules")
	for _, f := range files {
		_, err := os.Stat(filepath.Join(modules, f))
		Require(t, "Node module file "+f+" ("+pkg+")", err == nil, err)
	}
	return node, modules
}

// RunJSON runs program with args, its environment plus env, writes in as
// JSON to its standard input and decodes its standard output, JSON, into
// out. A failure ends the test with the program's standard error: the
// peer is there (the test found it first), so a failing run is a test
// failure, not a skip.
func RunJSON(t testing.TB, in, out any, env []string, program string, args ...string) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("testpeer: encoding the input of %s: %v", program, err)
	}
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("testpeer: %s: %v\n%s", program, err, stderr.Bytes())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("testpeer: decoding the output of %s: %v\n%s", program, err, res)
	}
}
