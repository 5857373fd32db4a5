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

// TestTentacleRestartsOnlyWhenChanged: update-polling-tentacles.ps1
// restarts the Tentacle service only when this run ran poll-server or
// clear-trusted-servers, or with -Restart, which a run after an
// interrupted one needs (second review A5); an update that finds its
// address already in place says so and points at -Restart.
// register-tentacle.ps1 configures on every run, so it always restarts an
// installed service and never claims "Nothing changed" (second review N1;
// review A6). In both, a stopped service is started instead (--restart
// leaves it stopped), and then its status must show it running.
func TestTentacleRestartsOnlyWhenChanged(t *testing.T) {
	modes := map[string]bool{}
	const restartCall = "@('--instance', $Instance, '--restart')"
	for _, s := range tentacleScripts(t) {
		lines := codeLines(s.Content)
		restart := findLine(lines, 0, restartCall)
		if restart < 0 {
			t.Errorf("%s: no restart", s.Name)
			continue
		}
		chain := branchChain(lines, restart)
		start := findLine(lines, 0, "@('--instance', $Instance, '--start')")
		if start < 0 || innermost(branchChain(lines, start)) != "if ($PSCmdlet.ShouldProcess($ServiceName, ('Start the Tentacle service, which is {0}' -f $status))) {" {
			t.Errorf("%s: a stopped service is not started", s.Name)
		}
		assert := findLine(lines, restart, "    Assert-TentacleRunning")
		if assert < 0 || lines[blockHeader(lines, assert)] != "if (-not $WhatIfPreference) {" || findLine(lines, assert, "Write-Outcome -Done") < 0 {
			t.Errorf("%s: the service's status is not checked after the restart, before the script says it is done", s.Name)
		}
		if !strings.Contains(functionBody(s.Content, "Assert-TentacleRunning"), "$status = Get-TentacleServiceStatus") {
			t.Errorf("%s: Assert-TentacleRunning does not read the service's status", s.Name)
		}
		if strings.HasSuffix(s.Name, "/register-tentacle.ps1") {
			modes["register-with"] = modes["register-with"] || strings.Contains(string(s.Content), "Invoke-Tentacle -Command 'register-with'")
			if strings.Contains(string(s.Content), "$changed") || strings.Contains(string(s.Content), "Nothing changed") {
				t.Errorf("%s: tracks or reports changes, though configure and register-with run every time", s.Name)
			}
			if len(chain) != 3 || chain[0] != "if ($status -eq '') {" || chain[1] != "elseif ($status -ne 'Running') {" || !strings.HasPrefix(chain[2], "elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Restart") {
				t.Errorf("%s: an installed service restarts under %q, not always", s.Name, chain)
			}
			if !paragraphSays(s.Content, "Safe to run twice", "-Reregister", "restarts its service", "starts it") || paragraphSays(s.Content, "Safe to run twice", "changed") {
				t.Errorf("%s: the help does not say plainly that an installed service is always restarted", s.Name)
			}
			continue
		}
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
			// $changed is set right after the command, or first in the
			// branch that holds its ShouldProcess, so that -WhatIf shows
			// the restart the change would bring.
			set := nextCode(lines, i) == "$changed = $true"
			if h := blockHeader(lines, i); !set && h >= 0 && strings.Contains(lines[h], "$PSCmdlet.ShouldProcess(") {
				outer := blockHeader(lines, h)
				set = outer >= 0 && nextCode(lines, outer) == "$changed = $true"
			}
			if !set || i < init {
				t.Errorf("%s: %s does not set $changed = $true", s.Name, strings.TrimSpace(line))
			}
		}
		if changers == 0 {
			t.Errorf("%s: no changing command found", s.Name)
		}
		const guard = "elseif (-not $changed -and -not $Restart) {"
		if len(chain) != 3 || chain[0] != "if ($status -ne 'Running') {" || chain[1] != guard {
			t.Errorf("%s: the restart runs under %q, not only on a change or -Restart", s.Name, chain)
		}
		if said := findLine(lines, 0, "Write-Output ('Nothing changed: the Tentacle service {0} is not restarted (run with -Restart"); said < 0 || innermost(branchChain(lines, said)) != guard {
			t.Errorf("%s: an unchanged Tentacle is not reported as left running, with -Restart named", s.Name)
		}
		if findLine(lines, 0, "    [switch] $Restart") < 0 || !strings.Contains(string(s.Content), ".PARAMETER Restart") {
			t.Errorf("%s: no documented -Restart switch", s.Name)
		}
		done := findLines(lines, ": already done. If an earlier run stopped before restarting the Tentacle, run this again with -Restart.'")
		if len(done) != 1 || strings.Contains(innermost(branchChain(lines, done[0])), "ShouldProcess") {
			t.Errorf("%s: the already-done message does not point at -Restart (lines %v)", s.Name, done)
		}
	}
	for _, cmd := range []string{"'poll-server'", "'clear-trusted-servers'", "register-with"} {
		if !modes[cmd] {
			t.Errorf("no script ran %s: the test lost its grip", cmd)
		}
	}
}

// TestPollServerIsChecked: poll-server's exit code is not documented to
// prove the address was added, so after it both tentacle scripts read
// show-configuration again and stop when the address is missing, with an
// [INFER] note (second review T2).
func TestPollServerIsChecked(t *testing.T) {
	seen := 0
	for _, s := range tentacleScripts(t) {
		lines := codeLines(s.Content)
		calls := findLines(lines, "Invoke-Tentacle -Command 'poll-server'")
		if len(calls) == 0 {
			continue
		}
		seen++
		address := "$NodeAddress"
		if strings.HasSuffix(s.Name, "/register-tentacle.ps1") {
			address = "$address"
		}
		for _, call := range calls {
			check := findLine(lines, call, "Assert-PollsAddress -Address "+address)
			if check < 0 || blockHeader(lines, check) != blockHeader(lines, call) {
				t.Errorf("%s: poll-server on line %d is not followed by Assert-PollsAddress in the same block", s.Name, call+1)
			}
		}
		body := functionBody(s.Content, "Assert-PollsAddress")
		for _, want := range []string{
			"$configuration = (Invoke-Tentacle -Command 'show-configuration' -Arguments @('--instance', $Instance)) -join",
			"if (-not (Test-PollsAddress -Configuration $configuration -Address $Address)) {",
			"throw ('poll-server ran, but the Tentacle configuration (show-configuration) does not list {0}",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: Assert-PollsAddress lacks %q", s.Name, want)
			}
		}
		if functionBody(s.Content, "Test-PollsAddress") == "" {
			t.Errorf("%s: Assert-PollsAddress has no Test-PollsAddress to call", s.Name)
		}
		if !paragraphSays(s.Content, "poll-server's exit code is not documented", "[INFER]", "the Tentacle docs are silent, https://octopus.com/docs/octopus-rest-api/tentacle.exe-command-line", "older PollCommand") {
			t.Errorf("%s: the check after poll-server has no [INFER] note", s.Name)
		}
	}
	if seen < 4 {
		t.Errorf("only %d scripts run poll-server: the test lost its grip", seen)
	}
}

// TestListeningTentaclePublicHostName: a listening Tentacle registers the
// name the nodes call it by, --publicHostName (docs/octopus-facts.md §6.3, listening
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
