package ps

import (
	"strings"
	"testing"

	"github.com/octoha/octoha/steps"
)

// TestARRFollowsReview: the global rule proxies only the public host; the
// missing-module error points at the download pages, not the retired Web
// Platform Installer; the script runs in Windows PowerShell, since it
// loads IIS's .NET Framework assembly by path; and the health comment says
// ARR's default acceptable codes (200-399) already fail a 418 (review N9).
func TestARRFollowsReview(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		src, err := ConfigureARR(examples[name])
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		if !strings.Contains(text, "#Requires -PSEdition Desktop\r\n") {
			t.Errorf("%s: no #Requires -PSEdition Desktop, though it loads Microsoft.Web.Administration.dll by path", name)
		}
		code := string(withoutComments(src))
		for _, gone := range []string{"WebPI", "Web Platform Installer"} {
			if strings.Contains(code, gone) {
				t.Errorf("%s still tells the admin to use %s", name, gone)
			}
		}
		for _, page := range []string{"https://www.iis.net/downloads/microsoft/url-rewrite", "https://www.iis.net/downloads/microsoft/application-request-routing"} {
			if !strings.Contains(code, page) {
				t.Errorf("%s does not point at %s", name, page)
			}
		}
		lines := codeLines(src)
		cond := findLine(lines, 0, "$condition.SetAttributeValue('input', '{HTTP_HOST}')")
		loop := findLine(lines, 0, "foreach ($hostPattern in @($PublicHost, ('{0}:{1}' -f $PublicHost, $PublicPort))) {")
		if cond < 0 || loop < 0 || blockHeader(lines, cond) != loop {
			t.Errorf("%s: the global rule has no {HTTP_HOST} condition for the public host", name)
		}
		if findLine(lines, 0, "$conditions.SetAttributeValue('logicalGrouping', 'MatchAny')") < 0 || findLine(lines, 0, "$hostConditions.Clear()") < 0 {
			t.Errorf("%s: the host conditions are not MatchAny, or pile up on each run", name)
		}
		if rule := findLine(lines, 0, "$rule.GetChildElement('match')"); rule < 0 || blockHeader(lines, rule) != blockHeader(lines, loop) {
			t.Errorf("%s: the host condition is not set on the rule", name)
		}
		if !paragraphSays(src, "418", "200-399", "[INFER") || paragraphSays(src, "418", "outside ARR's default") {
			t.Errorf("%s: the health-check comment does not say the default 200-399 already fails a 418", name)
		}
	}
}

// TestARRRemovesLeftNodes: after octoha remove-node the farm must lose
// the node that left, or ARR keeps sending users to it. Every server
// whose address is not a current node's host is removed, enumerating a
// copy of the collection (second review A1).
func TestARRRemovesLeftNodes(t *testing.T) {
	names, examples := exampleAnswers(t)
	for _, name := range names {
		src, err := ConfigureARR(examples[name])
		if err != nil {
			t.Fatal(err)
		}
		lines := codeLines(src)
		servers := findLine(lines, 0, "$servers = $farm.GetCollection()")
		wanted := findLine(lines, servers, "$wanted = @($Nodes | ForEach-Object { $_.Host })")
		loop := findLine(lines, wanted, "foreach ($element in @($servers)) {")
		test := findLine(lines, loop, "if ($wanted -notcontains $address) {")
		remove := findLine(lines, test, "$servers.Remove($element)")
		add := findLine(lines, 0, "foreach ($node in $Nodes) {")
		if servers < 0 || wanted < 0 || loop < 0 || test < 0 || remove < 0 {
			t.Errorf("%s: servers that are no longer nodes are not removed (%d %d %d %d %d)", name, servers, wanted, loop, test, remove)
			continue
		}
		if blockHeader(lines, test) != loop || blockHeader(lines, remove) != test {
			t.Errorf("%s: the removal is not inside the address test inside the copy loop", name)
		}
		if read := findLine(lines, loop, "$address = [string] $element.GetAttributeValue('address')"); read < 0 || read > test || blockHeader(lines, read) != loop {
			t.Errorf("%s: the server's address is not read as a string before the test", name)
		}
		if add < remove {
			t.Errorf("%s: the removal runs after the nodes are added (line %d < %d)", name, add+1, remove+1)
		}
		if blockHeader(lines, loop) != blockHeader(lines, servers) {
			t.Errorf("%s: the removal is not in the farm step", name)
		}
		if !paragraphSays(src, "no longer a node", "taken out") {
			t.Errorf("%s: the help does not say a server that left is taken out", name)
		}
	}
}

// TestARRBindingCertificate: an https binding counts as done only when it
// carries the answers' certificate; one with another certificate is
// replaced (second review N2). An http binding has no certificate to
// compare.
func TestARRBindingCertificate(t *testing.T) {
	names, examples := exampleAnswers(t)
	var cases []steps.Answers
	tls, plain := 0, 0
	for _, name := range names {
		a := examples[name]
		cases = append(cases, a)
		http := a
		http.LoadBalancer.PublicURL = strings.Replace(a.LoadBalancer.PublicURL, "https://", "http://", 1)
		cases = append(cases, http)
	}
	for _, a := range cases {
		name := a.LoadBalancer.PublicURL
		src, err := ConfigureARR(a)
		if err != nil {
			t.Fatal(err)
		}
		lines := codeLines(src)
		done := findLine(lines, 0, "already done.' -f $protocol, $bindingInformation, $SiteName")
		add := findLine(lines, 0, "$null = $site.Bindings.Add($bindingInformation, ")
		if done < 0 || add < done {
			t.Errorf("%s: no already-done binding branch before the add", name)
			continue
		}
		if !a.PublicTLS() {
			plain++
			if strings.Contains(string(src), "CertificateHash") || innermost(branchChain(lines, done)) != "if ($null -ne $binding) {" {
				t.Errorf("%s: an http binding is judged by a certificate", name)
			}
			continue
		}
		tls++
		hex := findLine(lines, 0, "$boundThumbprint = [System.BitConverter]::ToString($binding.CertificateHash).Replace('-', '')")
		if hex < 0 || innermost(branchChain(lines, hex)) != "if ($null -ne $binding -and $null -ne $binding.CertificateHash) {" {
			t.Errorf("%s: the bound certificate is not read as hex, guarded for a binding without one", name)
		}
		if chain := branchChain(lines, done); len(chain) != 1 || chain[0] != "if ($null -ne $binding -and $boundThumbprint -eq $CertificateThumbprint) {" {
			t.Errorf("%s: the https binding counts as done under %q, not only with this certificate", name, chain)
		}
		remove := findLine(lines, done, "$site.Bindings.Remove($binding)")
		if remove < 0 || remove > add || innermost(branchChain(lines, remove)) != "if ($null -ne $binding) {" || blockHeader(lines, blockHeader(lines, remove)) != blockHeader(lines, add) {
			t.Errorf("%s: a binding with another certificate is not removed before the new one is added", name)
		}
		if !strings.Contains(lines[add], "$hash, 'My')") {
			t.Errorf("%s: the new binding does not carry the certificate", name)
		}
		if findLine(lines, add, "$changed = $true") != add+1 {
			t.Errorf("%s: replacing the binding is not committed", name)
		}
	}
	if tls == 0 || plain == 0 {
		t.Fatalf("%d https and %d http bindings rendered: the test lost its grip", tls, plain)
	}
}
