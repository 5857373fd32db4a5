package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// TestWebCallsOfferTLS12: Windows PowerShell 5.1 offers only SSL 3 and
// TLS 1.0 by default, and octoha's balancers require TLS 1.2. A script
// that calls the cluster's URL with Invoke-RestMethod or Invoke-WebRequest
// adds TLS 1.2 before its first call (review A8).
func TestWebCallsOfferTLS12(t *testing.T) {
	const tls12 = "[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12"
	seen := 0
	for _, s := range everyScript(t) {
		text := string(withoutComments(s.Content))
		if !strings.Contains(text, "$ServerUrl") || !(strings.Contains(text, "Invoke-RestMethod") || strings.Contains(text, "Invoke-WebRequest")) {
			continue
		}
		seen++
		lines := codeLines(s.Content)
		set := findLine(lines, 0, tls12)
		if set < 0 {
			t.Errorf("%s calls the cluster's URL without offering TLS 1.2", s.Name)
			continue
		}
		// The first call is Get-ClusterNode's (register-tentacle.ps1:
		// Get-TargetSpaceId's); it runs only with the API key's headers,
		// which are set in the same block as TLS 1.2.
		first := findLine(lines, findLine(lines, 0, "try {"), "Get-ClusterNode -Headers")
		if strings.HasSuffix(s.Name, "/register-tentacle.ps1") {
			first = findLine(lines, findLine(lines, 0, "try {"), "$spaceId = Get-TargetSpaceId")
		}
		if first < 0 || set > first {
			t.Errorf("%s: TLS 1.2 is offered at line %d, after the first web call at line %d", s.Name, set+1, first+1)
		}
		headers := findLine(lines, 0, "$headers = @{ 'X-Octopus-ApiKey' = ")
		if headers < 0 || blockHeader(lines, headers) != blockHeader(lines, set) {
			t.Errorf("%s: TLS 1.2 is not set wherever the API key's headers are", s.Name)
		}
	}
	if seen == 0 {
		t.Fatal("no script calls the cluster's URL: the test lost its grip")
	}
}

// TestDrainReadsSummaryFieldsSafely: under Set-StrictMode a missing field
// of /api/octopusservernodes/summary would throw a bare "property cannot
// be found". Each field is checked with PSObject.Properties first, with an
// error that says what was expected (review N10).
func TestDrainReadsSummaryFieldsSafely(t *testing.T) {
	_, examples := exampleAnswers(t)
	src, err := DrainNode(examples["2-node-listening-nginx"], 1)
	if err != nil {
		t.Fatal(err)
	}
	body := functionBody(src, "Get-ClusterNode")
	lines := strings.Split(body, "\n")
	check := findLine(lines, 0, "if ($null -eq $summary -or $null -eq $summary.PSObject.Properties['Nodes']) {")
	read := findLine(lines, 0, "foreach ($node in @($summary.Nodes)) {")
	if check < 0 || read < check {
		t.Fatalf("Nodes is read (line %d) before it is checked (line %d):\n%s", read, check, body)
	}
	if !strings.Contains(lines[check+1], "throw (") || !strings.Contains(lines[check+1], "without a Nodes list") {
		t.Errorf("a summary without Nodes does not throw a clear error: %s", lines[check+1])
	}
	name := findLine(lines, read, "$node.PSObject.Properties['Name']")
	compare := findLine(lines, read, "$node.Name -ne $NodeName")
	if name < 0 || compare < name {
		t.Error("a node's Name is read before it is checked")
	}
	fields := findLine(lines, compare, "foreach ($field in @('Id', 'RunningTaskCount')) {")
	ret := findLine(lines, compare, "return $node")
	if fields < 0 || ret < fields || !strings.Contains(body, "$null -eq $node.PSObject.Properties[$field]") {
		t.Error("Id and RunningTaskCount are not checked before the node is returned")
	}
	// Every other member the function reads comes after its check.
	for i, l := range lines {
		for _, member := range []string{"$summary.Nodes", "$node.Name", "$node.Id", "$node.RunningTaskCount"} {
			if strings.Contains(l, member) && i < check {
				t.Errorf("%s read on line %d before the checks", member, i+1)
			}
		}
	}
}

// TestDrainAsksWithoutApiKey: without -ApiKey nothing proves the node
// idle, so the script asks before it stops the service, and -Force skips
// the question (PSScriptAnalyzer's AvoidShouldContinueWithoutForce). The
// question sits inside the stop's ShouldProcess, so -WhatIf asks nothing
// (second review A4).
func TestDrainAsksWithoutApiKey(t *testing.T) {
	_, examples := exampleAnswers(t)
	src, err := DrainNode(examples["2-node-listening-nginx"], 1)
	if err != nil {
		t.Fatal(err)
	}
	lines := codeLines(src)
	ask := findLine(lines, 0, "if ($null -eq $headers -and -not $Force -and -not $PSCmdlet.ShouldContinue('Stop the service now? Tasks still running on this node are cut off.', $NodeName)) {")
	stop := findLine(lines, 0, "Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')")
	if ask < 0 || stop < ask {
		t.Fatalf("the service is stopped (line %d) without asking first (line %d)", stop+1, ask+1)
	}
	if blockHeader(lines, ask) != blockHeader(lines, stop) || !strings.Contains(lines[blockHeader(lines, stop)], "$PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')") {
		t.Error("the question is not asked inside the stop's ShouldProcess, next to the stop")
	}
	if throw := nextCode(lines, ask); !strings.HasPrefix(throw, "throw ('Stopped before the service:") || !strings.Contains(throw, "-Force") {
		t.Errorf("declining does not stop the script with a pointer to -Force: %q", throw)
	}
	if findLine(lines, 0, "    [switch] $Force") < 0 || !strings.Contains(string(src), ".PARAMETER Force") {
		t.Error("no documented -Force switch")
	}
	warn := findLine(lines, 0, "Write-Warning ('Without -ApiKey this script cannot see the tasks of node {0}.")
	if warn < 0 || strings.Contains(lines[warn], "before going on") || !strings.Contains(lines[warn], "before the service stops") {
		t.Error("the warning without -ApiKey does not say the service stops next")
	}
}

// TestDrainHelpAndTags: -WaitSeconds says the whole wait can be about
// twice as long with -ApiKey (second review N5); the script's reliance on
// node --drain --wait exiting 0 when tasks are left is tagged [INFER]
// (second review T1); the API key's headers are dropped in the finally,
// on every way out (second review N4).
func TestDrainHelpAndTags(t *testing.T) {
	_, examples := exampleAnswers(t)
	a := examples["2-node-listening-nginx"]
	for _, version := range []string{string(a.Octopus.Version), "2025.2"} {
		a.Octopus.Version = steps.VersionText(version)
		src, err := DrainNode(a, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !paragraphSays(src, ".PARAMETER WaitSeconds", "With -ApiKey the script then watches the node's tasks itself", "about twice WaitSeconds") {
			t.Errorf("%s: -WaitSeconds does not say the whole wait can be about twice as long", version)
		}
		if !paragraphSays(src, "node --drain is taken to exit 0 when its wait ends with tasks still running", "[INFER]", "the node command docs are silent, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node") {
			t.Errorf("%s: the reliance on node --drain's exit code is not tagged [INFER]", version)
		}
		if strings.Contains(string(src), "goes on waiting itself") && !paragraphSays(src, "goes on waiting itself", "[INFER", "the node command docs are silent, https://octopus.com/docs/octopus-rest-api/octopus.server.exe-command-line/node") {
			t.Errorf("%s: the help's \"goes on waiting itself\" is not tagged [INFER]", version)
		}
		lines := codeLines(src)
		cleared := findLines(lines, "$headers = $null")
		if len(cleared) != 2 || innermost(branchChain(lines, cleared[1])) != "finally {" || blockHeader(lines, cleared[0]) != blockHeader(lines, findLine(lines, 0, "$ServerExe = ")) {
			t.Errorf("%s: the headers are not set to $null first and dropped in the finally (lines %v)", version, cleared)
		}
	}
}
