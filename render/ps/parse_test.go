package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
	"github.com/octoha/octoha/internal/testkit"
)

// TestScriptsParse renders every script for every example and parses it
// with the real PowerShell grammar: no ERROR or MISSING node anywhere
// (test-infra §1). ConfigureARR is rendered for every example, whatever
// its balancer, so all its branches are parsed.
func TestScriptsParse(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		a := examples[name]
		scripts := renderAll(t, a)
		arr, err := ConfigureARR(a)
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, script{"configure-arr.ps1 (any balancer)", arr})
		for _, s := range scripts {
			if errs := psparse.Errors(s.Content); len(errs) > 0 {
				t.Errorf("%s/%s does not parse:\n%s", name, s.Name, strings.Join(errs, "\n"))
			}
		}
	}
}

// TestScriptsLayout holds the conventions every script follows.
func TestScriptsLayout(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		for _, s := range renderAll(t, examples[name]) {
			where := name + "/" + s.Name
			testkit.ScriptLayout(t, where, s.Content)
			if strings.Contains(string(s.Content), "'--dependOn'") {
				t.Errorf("%s contains %q", where, "'--dependOn'")
			}
		}
	}
}
