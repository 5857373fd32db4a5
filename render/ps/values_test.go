package ps

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
)

// placeVariables are the variables PowerShell defines only in some places
// (internal/ps51/strict.go holds where): they need no assignment.
var placeVariables = []string{"_", "psitem", "pscmdlet", "matches", "lastexitcode", "foreach", "switch"}

// automaticVariables reads the table of variables every Windows
// PowerShell 5.1 session has.
func automaticVariables(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("../../internal/ps51/testdata/automatic-variables-5.1.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	for _, v := range placeVariables {
		out[v] = true
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			out[strings.ToLower(strings.Fields(line)[0])] = true
		}
	}
	if len(out) < 40 {
		t.Fatalf("only %d automatic variables read", len(out))
	}
	return out
}

// everyScriptFile is every script this package emits for every example,
// and every way the add-node, remove-node, rebuild and drain scripts are
// made, each with the name a failure reports.
func everyScriptFile(t *testing.T) map[string]scriptFile {
	t.Helper()
	names, examples := exampleAnswers(t)
	out := map[string]scriptFile{}
	for _, name := range names {
		a := examples[name]
		first := newServerView(a, 0)
		out[name+"/first-node"] = first.firstNode()
		for _, rebuild := range []bool{false, true} {
			for _, drain := range []bool{false, true} {
				v := newServerView(a, len(a.Nodes)-1)
				v.Rebuild, v.DrainOnJoin = rebuild, drain
				out[name+"/join-node"+flagSuffix(rebuild, "rebuild")+flagSuffix(drain, "drained")] = v.joinNode()
			}
		}
		out[name+"/register-tentacle"] = newTentacleView(a).script()
		out[name+"/configure-arr"] = newARRView(a).script()
		for _, fixed := range []bool{false, true} {
			d := newDrainView(a, 0)
			d.WaitBugFixed = fixed
			out[name+"/drain-node"+flagSuffix(fixed, "fixed")] = d.script()
		}
		for _, removing := range []bool{false, true} {
			u := newTentacleUpdateView(a)
			u.Removing, u.NodeName, u.Address, u.MinVersion = removing, a.Nodes[0].Name, CommsAddress(a, 0), minTentacleClearTrusted
			u.Keep = []string{CommsAddress(a, 0)}
			out[name+"/update-polling-tentacles"+flagSuffix(removing, "removing")] = u.script()
		}
	}
	return out
}

func flagSuffix(on bool, name string) string {
	if on {
		return "-" + name
	}
	return ""
}

// unreadValues are the values a script kind sets but does not read, kept
// because the emitted script is held byte for byte to its golden file:
// the remove-node update script sets $ServerUrl as the add-node one does.
var unreadValues = map[string]string{"update-polling-tentacles-removing": "serverurl"}

// TestBodyReadsOnlyTheValuesBlock holds the contract between Go and a
// script's body: every variable the body reads is set in the values block,
// or is a parameter, an automatic variable, or assigned in the body
// itself; and every variable the values block sets is read by the body.
// (internal/ps51 checks, on the whole script, that each is assigned
// before it is read on every path.)
func TestBodyReadsOnlyTheValuesBlock(t *testing.T) {
	automatic := automaticVariables(t)
	for name, s := range everyScriptFile(t) {
		block := map[string]bool{}
		for _, v := range psparse.Variables([]byte(strings.Join(s.values.block(), "\n"))) {
			if v.Sets {
				block[v.Name] = true
			}
		}
		body := s
		withoutBlock := *s.values
		withoutBlock.blockLines = nil
		body.values = &withoutBlock
		src, err := body.render()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		vars := psparse.Variables(src)
		setInBody, setAtTop, read := map[string]bool{}, map[string]bool{}, map[string]int{}
		for _, v := range vars {
			if v.Sets {
				setInBody[v.Name] = true
				setAtTop[v.Name] = setAtTop[v.Name] || !v.InFunction
			} else if _, seen := read[v.Name]; !seen {
				read[v.Name] = v.Line
			}
		}
		for v, line := range read {
			if !block[v] && !setInBody[v] && !automatic[v] {
				t.Errorf("%s:%d reads $%s, which neither its values block nor its body sets", name, line, v)
			}
		}
		for _, v := range sortedKeys(block) {
			if _, ok := read[v]; !ok && unreadValues[name[strings.Index(name, "/")+1:]] != v {
				t.Errorf("%s: the values block sets $%s, which the body never reads", name, v)
			}
			if setAtTop[v] {
				t.Errorf("%s: both the values block and the body set $%s", name, v)
			}
		}
		if len(block) == 0 {
			t.Errorf("%s has no values block", name)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSourcesAreScripts: every file under scripts/ is PowerShell the
// grammar reads as it is, before Go splices anything in (common.ps1 keeps
// its pieces of help and param lists inside a block comment).
func TestSourcesAreScripts(t *testing.T) {
	entries, err := scriptFiles.ReadDir("scripts")
	if err != nil || len(entries) < 7 {
		t.Fatalf("scripts/ holds %d files: %v", len(entries), err)
	}
	for _, e := range entries {
		src, err := scriptFiles.ReadFile("scripts/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if errs := psparse.Errors(src); len(errs) > 0 {
			t.Errorf("scripts/%s does not parse: %v", e.Name(), errs)
		}
	}
}

// TestRegionsAndMarkers: a region whose flag the script does not have, a
// region that does not end or ends another, and a value or lines the
// script lacks each stop the rendering.
func TestRegionsAndMarkers(t *testing.T) {
	s := scriptFile{file: "test.ps1", flags: map[string]bool{"on": true, "off": false}, values: newValues().str("X", "it's")}
	got, err := s.keepRegions([]string{"a", "#region octoha:on", "b", "  #region octoha:off", "c", "  #endregion octoha:off", "#endregion octoha:on", "#region octoha:!off", "d", "#endregion octoha:!off", "#region octoha:!on", "e", "#endregion octoha:!on"})
	if err != nil || strings.Join(got, ",") != "a,b,d" {
		t.Fatalf("kept %v (%v), want a,b,d", got, err)
	}
	for _, broken := range [][]string{
		{"#region octoha:unknown", "#endregion octoha:unknown"},
		{"#region octoha:on"},
		{"#region octoha:on", "#endregion octoha:off"},
		{"#endregion octoha:on"},
		{"#region octoha:on", "#region octoha:off", "#endregion octoha:on", "#endregion octoha:off"},
	} {
		if _, err := s.keepRegions(broken); err == nil {
			t.Errorf("%v was accepted", broken)
		}
	}
	spliced, err := s.splice([]string{"$v = ${octoha:X}", "# ${octoha:X}", "<#", "  ${octoha:X}", "#>"})
	if err != nil || strings.Join(spliced, "|") != "$v = 'it''s'|# it's|<#|  it's|#>" {
		t.Fatalf("spliced %q (%v)", spliced, err)
	}
	for _, broken := range []string{"${octoha:Y}", "${octoha:X", "# octoha:lines none"} {
		if _, err := s.splice([]string{broken}); err == nil {
			t.Errorf("%q was accepted", broken)
		}
	}
	if _, err := expandCommon([]string{"# octoha:common none"}, map[string][]string{}); err == nil {
		t.Error("a missing common block was accepted")
	}
}
