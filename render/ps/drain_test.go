package ps

import (
	"strings"
	"testing"
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
		// The first call is Get-ClusterNode's; it runs only with the API
		// key's headers, which are set in the same block as TLS 1.2.
		first := findLine(lines, findLine(lines, 0, "try {"), "Get-ClusterNode -Headers")
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
