package ps

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/internal/testkit"
	"github.com/octoha/octoha/steps"
)

// growScripts renders every script a change to the cluster a can need: a
// node added (OCTO9), the second node removed, the first node removed,
// each node drained.
func growScripts(t testing.TB, a steps.Answers) []script {
	t.Helper()
	var out []script
	add := func(name string, content []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, script{name, content})
	}
	for i, n := range a.Nodes {
		content, err := DrainNode(a, i)
		add("drain-node-"+n.Name+".ps1", content, err)
	}
	if !a.PollsEveryNode() {
		return out
	}
	grown, err := a.AddNode(steps.Node{Name: "OCTO9", Host: "octo9.corp.local"})
	if err != nil {
		t.Fatal(err)
	}
	content, err := AddNodeToTentacles(grown, len(grown.Nodes)-1)
	add("add/"+TentacleUpdateScript, content, err)
	for _, gone := range []int{1, 0} {
		shrunk, at, err := a.RemoveNode(a.Nodes[gone].Name)
		if err != nil {
			t.Fatal(err)
		}
		content, err := RemoveNodeFromTentacles(shrunk, a.Nodes[at].Name, CommsAddress(a, at))
		add(fmt.Sprintf("remove-%s/%s", a.Nodes[gone].Name, TentacleUpdateScript), content, err)
	}
	return out
}

// TestGrowGolden compares the change scripts of three clusters with
// testdata/grow/<example>/; -update rewrites them.
func TestGrowGolden(t *testing.T) {
	_, examples := exampleAnswers(t)
	for _, name := range []string{"2-node-listening-nginx", "3-node-polling-unique-address-haproxy", "4-node-polling-unique-port-nginx"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "grow", name)
			if testkit.Updating() {
				os.RemoveAll(dir)
			}
			for _, s := range growScripts(t, examples[name]) {
				testkit.Golden(t, filepath.Join(dir, filepath.FromSlash(s.Name)), s.Content)
			}
		})
	}
}

// TestGrowScriptsParseAndFollowConventions holds the change scripts to
// what TestScriptsParse and TestScriptsLayout hold the others to.
func TestGrowScriptsParseAndFollowConventions(t *testing.T) {
	names, examples := exampleAnswers(t)
	seen := 0
	for _, name := range names {
		for _, s := range growScripts(t, examples[name]) {
			seen++
			where := name + "/" + s.Name
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s does not parse:\n%s", where, strings.Join(errs, "\n"))
			}
			checkConventions(t, where, s.Content)
		}
	}
	if seen < 20 {
		t.Fatalf("only %d change scripts rendered", seen)
	}
}

// checkConventions holds a change script to testkit.ScriptLayout and to
// what TestNoSecretLiteral holds the others to.
func checkConventions(t *testing.T, where string, content []byte) {
	t.Helper()
	testkit.ScriptLayout(t, where, content)
	text := string(content)
	for _, lit := range psparse.StringLiterals(content) {
		if secretLooking.MatchString(lit.Value) {
			t.Errorf("%s: secret-looking literal %s", where, lit.Source)
		}
	}
	for _, line := range strings.Split(text, "\r\n") {
		l := strings.TrimSpace(line)
		if m := regexp.MustCompile(`^\[(\w+)\] \$(\w*(?:Password|Key|Secret)\w*)`).FindStringSubmatch(l); m != nil && m[1] != "SecureString" {
			t.Errorf("%s: parameter $%s is [%s], not [SecureString]", where, m[2], m[1])
		}
		if strings.Contains(l, "Write-") && strings.Contains(l, "$ApiKey") {
			t.Errorf("%s writes a secret: %s", where, l)
		}
	}
}

// TestGrowScriptsHostile renders the change scripts with a hostile value
// in every string field, as TestHostileAnswers does for the others.
func TestGrowScriptsHostile(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		hostile, tame := examples[name], examples[name]
		hostile.Nodes = slices.Clone(hostile.Nodes)
		tame.Nodes = slices.Clone(tame.Nodes)
		count := setStrings(&hostile, hostileValue)
		setStrings(&tame, func(i int) string { return fmt.Sprintf("v%02d", i) })
		bad, good := growScripts(t, hostile), growScripts(t, tame)
		seen := map[int]bool{}
		for k, s := range bad {
			where := name + "/" + s.Name
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s does not parse with hostile answers:\n%s", where, strings.Join(errs, "\n"))
				continue
			}
			if got, want := psparse.Commands(s.Content), psparse.Commands(good[k].Content); !slices.Equal(got, want) {
				t.Errorf("%s runs other commands with hostile answers:\n got %q\nwant %q", where, got, want)
			}
			lits, comments, src := psparse.StringLiterals(s.Content), psparse.Comments(s.Content), string(s.Content)
			for i := 1; i <= count; i++ {
				marker := fmt.Sprintf("H%02dx", i)
				for off := 0; ; {
					j := strings.Index(src[off:], marker)
					if j < 0 {
						break
					}
					at := off + j
					off = at + 1
					if inComment(comments, at) {
						continue
					}
					lit, ok := literalAt(lits, at)
					if !ok {
						t.Errorf("%s: value %d appears outside any string literal: %q", where, i, around(src, at))
						continue
					}
					// A keep list or comms address holds the value as part of
					// a longer literal (https://<value>:port); it must still
					// be one verbatim literal holding the value whole.
					if lit.Kind != psparse.Verbatim || !strings.Contains(lit.Value, hostileValue(i)) {
						t.Errorf("%s: value %d sits in %s literal %q that does not hold it whole", where, i, lit.Kind, lit.Source)
						continue
					}
					seen[i] = true
				}
			}
		}
		t.Logf("%s: %d hostile values reached change script literals", name, len(seen))
		// Drain scripts print the version, instance, install folder and the
		// node names; tentacle updates add hosts, instance and URL.
		ex := examples[name]
		if want := map[bool]int{false: 5, true: 8}[ex.PollsEveryNode()]; len(seen) < want {
			t.Errorf("%s: only %d hostile values reached a change script literal; the test lost its grip", name, len(seen))
		}
	}
}

// TestTentacleUpdates: what each update does per polling mode, and that
// modes without a per-node address get no script.
func TestTentacleUpdates(t *testing.T) {
	_, examples := exampleAnswers(t)
	a := examples["4-node-polling-unique-port-nginx"]
	grown, _ := a.AddNode(steps.Node{Name: "OCTO5", Host: "octo5.corp.local"})
	src, err := AddNodeToTentacles(grown, 4)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for _, want := range []string{
		"$NodeAddress = 'https://octopus-poll.corp.local:10947'",
		"Invoke-Tentacle -Command 'poll-server' -Arguments @('--instance', $Instance, '--server', $ServerUrl, '--server-comms-address', $NodeAddress, '--apiKey', [System.Net.NetworkCredential]::new('', $ApiKey).Password)",
		"[version] '6.3.341'", "'--restart'", "already done",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("add script lacks %q", want)
		}
	}
	shrunk, at, _ := a.RemoveNode("OCTO2")
	src, err = RemoveNodeFromTentacles(shrunk, "OCTO2", CommsAddress(a, at))
	if err != nil {
		t.Fatal(err)
	}
	text = string(src)
	for _, want := range []string{
		"$NodeAddress = 'https://octopus-poll.corp.local:10944'",
		"$KeepAddresses = @('https://octopus-poll.corp.local:10943', 'https://octopus-poll.corp.local:10945', 'https://octopus-poll.corp.local:10946')",
		"('--keep=' + ($keep -join ','))", "[version] '8.1.1713'", "--reset-trust", "'--restart'",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("remove script lacks %q", want)
		}
	}
	if strings.Contains(text, "$ApiKey") {
		t.Error("clear-trusted-servers needs no API key, so the remove script must not ask for one")
	}
	for _, name := range []string{"3-node-polling-redis-haproxy", "2-node-listening-nginx"} {
		b := examples[name]
		g, _ := b.AddNode(steps.Node{Name: "OCTO9", Host: "octo9"})
		if _, err := AddNodeToTentacles(g, len(g.Nodes)-1); err == nil {
			t.Errorf("%s: a tentacle update was rendered; these tentacles do not poll every node", name)
		}
	}
}

// TestDrainNode: the §2.4 flags exactly, stop before delete, and the wait
// bug warning only for versions before the fix.
func TestDrainNode(t *testing.T) {
	_, examples := exampleAnswers(t)
	a := examples["2-node-listening-nginx"]
	src, err := DrainNode(a, 1)
	if err != nil {
		t.Fatal(err)
	}
	text := string(withoutComments(src))
	for _, want := range []string{"'--drain=true'", "('--wait={0}' -f $WaitSeconds)", "'--cancel-tasks'", "('--cancel-wait={0}' -f $CancelWaitSeconds)",
		"'X-Octopus-ApiKey'", "'/api/octopusservernodes/'", "-Method 'Delete'", "-StartupType 'Disabled'", "$WaitBugFixed = $true"} {
		if !strings.Contains(text, want) {
			t.Errorf("drain script lacks %q", want)
		}
	}
	stop, disable, del := strings.Index(text, "'--stop'"), strings.Index(text, "-StartupType 'Disabled'"), strings.Index(text, "-Method 'Delete'")
	if !(stop < disable && disable < del) {
		t.Errorf("the node must be stopped (%d) and disabled (%d) before its record is deleted (%d)", stop, disable, del)
	}
	a.Octopus.Version = "2025.2"
	src, _ = DrainNode(a, 1)
	if !strings.Contains(string(src), "$WaitBugFixed = $false") || !strings.Contains(string(src), "cuts waits over 300 seconds short") {
		t.Error("Octopus 2025.2 has the drain wait bug; the script must say so")
	}
	if _, err := DrainNode(a, 2); err == nil {
		t.Error("DrainNode past the last node rendered")
	}
}
