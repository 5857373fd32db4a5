package export

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// fakeResolver knows some names; others are not found, as a DNS server says.
type fakeResolver map[string]string

func (f fakeResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	if ip, ok := f[host]; ok {
		return []string{ip}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func example(t *testing.T) steps.Answers {
	return testkit.Example(t, "3-node-polling-unique-address-haproxy")
}

func TestAddNodeAsksTheResolver(t *testing.T) {
	r := fakeResolver{"octo4.corp.local": "10.0.0.14"}
	dir := filepath.Join(t.TempDir(), "out")
	res, err := AddNode(context.Background(), example(t), AddNodeOptions{Node: steps.Node{Name: "OCTO4", Host: "octo4.corp.local"}, Dir: dir, Resolver: r})
	if err != nil || len(res.Written) != 8 {
		t.Fatalf("%v, wrote %v", err, res.Written)
	}
	res, err = AddNode(context.Background(), example(t), AddNodeOptions{Node: steps.Node{Name: "OCTO5", Host: "octo5.corp.local"}, Dir: t.TempDir(), Resolver: r})
	if !errors.Is(err, ErrInvalid) || len(res.Written) != 0 {
		t.Fatalf("an unknown host: %v, wrote %v", err, res.Written)
	}
	f := res.Findings.For("nodes[3].host")
	if len(f) != 1 || !strings.Contains(f[0].Message, "does not resolve") {
		t.Errorf("findings %v", res.Findings)
	}
}

func TestRemoveNodeRefusesWhatItCannotDo(t *testing.T) {
	for _, name := range []string{"OCTO7", ""} {
		if _, err := RemoveNode(example(t), RemoveNodeOptions{Name: name, Dir: t.TempDir()}); err == nil {
			t.Errorf("removing %q succeeded", name)
		}
	}
	a := example(t)
	a.Nodes = a.Nodes[:1]
	if _, err := RemoveNode(a, RemoveNodeOptions{Name: "OCTO1", Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "only node") {
		t.Errorf("removing the last node: %v", err)
	}
}
