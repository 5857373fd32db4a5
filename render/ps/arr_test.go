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

// TestARRRedirectsPlainHTTP: with an https public URL, plain http for the
// public host is redirected to https by a global rule that sits before the
// proxy rule, as the NGINX and HAProxy files redirect; otherwise the site's
// http binding (Default Web Site keeps http *:80) carries sign-ins to the
// nodes in clear text. The rule is made afresh at the proxy rule's place
// on every run, so runs never pile rules up or leave it behind the proxy
// rule, and it is a ShouldProcess step, so -WhatIf changes nothing. With
// an http public URL there is nothing to redirect to. IIS cannot run
// here: internal/winsim's TestARRScriptParses reads the script with
// PowerShell's own parser.
func TestARRRedirectsPlainHTTP(t *testing.T) {
	names, examples := exampleAnswers(t)
	tls, plain := 0, 0
	for _, name := range names {
		for _, scheme := range []string{"https", "http"} {
			a := examples[name]
			a.LoadBalancer.PublicURL = scheme + "://octopus.corp.local"
			where := name + " " + scheme
			src, err := ConfigureARR(a)
			if err != nil {
				t.Fatal(err)
			}
			lines := codeLines(src)
			step := findLine(lines, 0, "if ($PSCmdlet.ShouldProcess(('http://' + $PublicHost), ('Redirect plain http to {0} (URL Rewrite rule)' -f $httpsBase))) {")
			if scheme == "http" {
				plain++
				if step >= 0 || strings.Contains(string(src), "'Redirect'") || paragraphSays(src, "redirects plain http") {
					t.Errorf("%s: an http public URL has an https redirect", where)
				}
				continue
			}
			tls++
			if step < 0 {
				t.Errorf("%s: no ShouldProcess step redirects plain http to https", where)
				continue
			}
			inStep := func(want string) int {
				t.Helper()
				i := findLine(lines, step, want)
				for h := blockHeader(lines, i); i >= 0 && h != step; h = blockHeader(lines, h) {
					if h < 0 {
						i = -1
					}
				}
				if i < 0 {
					t.Errorf("%s: the redirect step has no %q", where, want)
				}
				return i
			}
			proxy := findLine(lines, 0, "if ($PSCmdlet.ShouldProcess($FarmName, 'Route every request to the farm (URL Rewrite rule)')) {")
			if proxy < 0 || step < proxy {
				t.Errorf("%s: the redirect step does not come after the proxy rule's", where)
			}
			if findLine(lines, 0, "$RedirectRuleName = 'octoha: ' + $FarmName + ' https redirect'") < 0 || findLine(lines, 0, "$ProxyRuleName = 'octoha: ' + $FarmName") < 0 {
				t.Errorf("%s: the rule names are not set before the steps", where)
			}
			base := findLine(lines, 0, "$httpsBase = 'https://' + $PublicHost")
			if base < 0 || base > step || findLine(lines, base, "$httpsBase += ':' + $PublicPort") < 0 {
				t.Errorf("%s: the https address is not built from the public host and port", where)
			}
			// Idempotent: every old copy goes (enumerating a copy), then one
			// is added at the proxy rule's index.
			remove := inStep("$rules.Remove($element)")
			if remove >= 0 && innermost(branchChain(lines, remove)) != "if ($element.GetAttributeValue('name') -eq $RedirectRuleName) {" ||
				remove >= 0 && blockHeader(lines, blockHeader(lines, remove)) != findLine(lines, step, "foreach ($element in @($rules)) {") {
				t.Errorf("%s: an earlier redirect rule is not removed first", where)
			}
			at := inStep("$proxyAt = $rules.IndexOf($element)")
			if at >= 0 && innermost(branchChain(lines, at)) != "if ($element.GetAttributeValue('name') -eq $ProxyRuleName) {" {
				t.Errorf("%s: the proxy rule's place is not looked up by its name", where)
			}
			add := inStep("$null = $rules.AddAt($proxyAt, $redirect)")
			if add >= 0 && (add < remove || add < at) {
				t.Errorf("%s: the rule is added before the old one is removed or the place is known", where)
			}
			if strings.Contains(strings.Join(lines[step:], "\n"), "$rules.Add($redirect)") {
				t.Errorf("%s: the redirect is appended, after the proxy rule", where)
			}
			for _, want := range []string{
				"$redirect.SetAttributeValue('name', $RedirectRuleName)",
				"$redirect.SetAttributeValue('patternSyntax', 'ECMAScript')",
				"$redirect.SetAttributeValue('stopProcessing', $true)",
				"$redirect.GetChildElement('match').SetAttributeValue('url', '.*')",
				"$conditions.SetAttributeValue('logicalGrouping', 'MatchAll')",
				"@{ Input = '{HTTPS}'; Pattern = '^OFF$' }",
				"@{ Input = '{HTTP_HOST}'; Pattern = ('^{0}(:[0-9]+)?$' -f [regex]::Escape($PublicHost)) }",
				"$action.SetAttributeValue('type', 'Redirect')",
				"$action.SetAttributeValue('url', ($httpsBase + '/{R:0}'))",
				"$action.SetAttributeValue('redirectType', 'Permanent')",
				"$changed = $true",
			} {
				inStep(want)
			}
			if !paragraphSays(src, "redirects plain http", "NGINX and HAProxy") || !paragraphSays(src, "stopProcessing", "before the proxy rule", "https://learn.microsoft.com/") {
				t.Errorf("%s: the help or the step's comment does not say why http is redirected, or cites no source", where)
			}
		}
	}
	if tls == 0 || plain == 0 {
		t.Fatalf("%d https and %d http scripts: the test lost its grip", tls, plain)
	}
}

// TestARRPollingNoteFitsTheMode: the ARR script says only what is true for
// the answers' tentacles. Unique-address polling passes nothing through a
// balancer, so there is nothing to forward and no warning; unique-port
// and Redis polling need a TCP passthrough balancer, each its own way.
func TestARRPollingNoteFitsTheMode(t *testing.T) {
	names, examples := exampleAnswers(t)
	seen := map[string]bool{}
	for _, name := range names {
		a := examples[name]
		mode := a.PollingMode()
		seen[mode] = true
		src, err := ConfigureARR(a)
		if err != nil {
			t.Fatal(err)
		}
		code := string(withoutComments(src))
		warns := strings.Contains(code, "Write-Warning")
		switch mode {
		case steps.PollingUniqueAddress, "":
			if warns || strings.Contains(code, "forward") {
				t.Errorf("%s (%q): the script warns about forwarding, though nothing passes through a balancer", name, mode)
			}
			if mode == steps.PollingUniqueAddress && !paragraphSays(src, "unique-address polling", "own name and comms port", "no polling traffic passes through ARR") {
				t.Errorf("%s: the help does not say unique-address polling bypasses ARR", name)
			}
		case steps.PollingUniquePort:
			if !strings.Contains(code, "forward each node''s polling port") {
				t.Errorf("%s: no warning to forward each node's polling port", name)
			}
		case steps.PollingRedis:
			if !strings.Contains(code, "balance the polling port over the nodes'' comms ports") {
				t.Errorf("%s: no warning to balance the one polling port", name)
			}
		}
	}
	for _, mode := range []string{"", steps.PollingUniqueAddress, steps.PollingUniquePort, steps.PollingRedis} {
		if !seen[mode] {
			t.Errorf("no example has tentacle mode %q: the test lost its grip", mode)
		}
	}
}
