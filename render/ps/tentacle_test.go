package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// tentacleScripts renders register-tentacle.ps1 in every mode and every
// update-polling-tentacles.ps1 of the examples.
func tentacleScripts(t *testing.T) []script {
	t.Helper()
	var out []script
	for _, s := range everyScript(t) {
		if strings.HasSuffix(s.Name, "/register-tentacle.ps1") || strings.HasSuffix(s.Name, "/"+TentacleUpdateScript) {
			out = append(out, s)
		}
	}
	return out
}

// TestTentacleRestartsOnlyWhenChanged: a Tentacle service restarts only
// when this run ran poll-server, clear-trusted-servers, register-with or
// configure; an update script that finds its address already in place
// leaves the service running (review A6).
func TestTentacleRestartsOnlyWhenChanged(t *testing.T) {
	modes := map[string]bool{}
	for _, s := range tentacleScripts(t) {
		lines := codeLines(s.Content)
		init := findLine(lines, 0, "$changed = $false")
		if init < 0 {
			t.Errorf("%s: $changed is not set to $false first", s.Name)
			continue
		}
		changers := 0
		for i, line := range lines {
			cmd := ""
			for _, c := range []string{"'poll-server'", "'clear-trusted-servers'", "'register-with'", "'configure'"} {
				if strings.Contains(line, "Invoke-Tentacle -Command "+c) {
					cmd = c
				}
			}
			if cmd == "" {
				continue
			}
			changers++
			modes[cmd] = true
			// The mark follows the call (or the run of calls it ends),
			// in the same block.
			j := i
			for strings.HasPrefix(nextCode(lines, j), "Invoke-Tentacle ") {
				j = findLine(lines, j+1, "Invoke-Tentacle ")
			}
			next := nextCode(lines, j)
			if cmd == "'poll-server'" && i < init {
				// Inside Add-PollingServer: the script's variable.
				if next != "$script:changed = $true" {
					t.Errorf("%s: poll-server in a function is followed by %q, not $script:changed = $true", s.Name, next)
				}
			} else if next != "$changed = $true" {
				t.Errorf("%s: %s is followed by %q, not $changed = $true", s.Name, strings.TrimSpace(line), next)
			}
		}
		if changers == 0 {
			t.Errorf("%s: no changing command found", s.Name)
		}
		restart := findLine(lines, 0, "@('--instance', $Instance, '--restart')")
		if restart < 0 {
			t.Errorf("%s: no restart", s.Name)
			continue
		}
		chain := branchChain(lines, restart)
		guarded := false
		for k := 0; k+1 < len(chain); k++ {
			guarded = guarded || strings.Contains(chain[k], "(-not $changed)")
		}
		if !guarded {
			t.Errorf("%s: the restart runs under %q, not only when something changed", s.Name, chain)
		}
		if said := findLine(lines, 0, "Write-Output ('Nothing changed: the Tentacle service {0} is not restarted.' -f $ServiceName)"); said < 0 || !strings.Contains(innermost(branchChain(lines, said)), "(-not $changed)") {
			t.Errorf("%s: an unchanged Tentacle is not reported as left running", s.Name)
		}
	}
	for _, cmd := range []string{"'poll-server'", "'clear-trusted-servers'", "'register-with'"} {
		if !modes[cmd] {
			t.Errorf("no script ran %s: the test lost its grip", cmd)
		}
	}
}

// TestListeningTentaclePublicHostName: a listening Tentacle registers the
// name the nodes call it by, --publicHostName (reference §6.3, listening
// only), defaulting to this machine's DNS name (review N8).
func TestListeningTentaclePublicHostName(t *testing.T) {
	a := steps.Defaults()
	a.Nodes = []steps.Node{{Name: "N1", Host: "n1.corp"}, {Name: "N2", Host: "n2.corp"}}
	a.LoadBalancer.PublicURL = "https://octopus.corp"
	src, err := RegisterTentacle(a)
	if err != nil {
		t.Fatal(err)
	}
	lines := codeLines(src)
	param := findLine(lines, 0, "    [string] $PublicHostName = [System.Net.Dns]::GetHostEntry('').HostName,")
	if param < 0 {
		t.Error("no -PublicHostName parameter defaulting to the DNS name")
	}
	register := findLine(lines, 0, "'--comms-style', 'TentaclePassive'")
	if register < 0 || !strings.Contains(lines[register], "'--publicHostName', $PublicHostName") {
		t.Error("register-with does not pass --publicHostName")
	}
	if !strings.Contains(string(src), ".PARAMETER PublicHostName") {
		t.Error("-PublicHostName has no help")
	}
	a.Tentacles.Mode = steps.ModePolling
	a.Tentacles.Polling = steps.PollingUniqueAddress
	src, err = RegisterTentacle(a)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "PublicHostName") || strings.Contains(string(src), "--publicHostName") {
		t.Error("a polling Tentacle gets --publicHostName, which is for listening ones only")
	}
}
