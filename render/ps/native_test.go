package ps

import (
	"strings"
	"testing"
)

// everyScript renders every script this package makes for every example:
// the install scripts, configure-arr.ps1 whatever the balancer, and the
// change scripts.
func everyScript(t testing.TB) []script {
	t.Helper()
	names, examples := exampleAnswers(t)
	var out []script
	for _, name := range names {
		a := examples[name]
		for _, s := range append(renderAll(t, a), growScripts(t, a)...) {
			out = append(out, script{name + "/" + s.Name, s.Content})
		}
		arr, err := ConfigureARR(a)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, script{name + "/configure-arr.ps1 (any balancer)", arr})
	}
	return out
}

// TestInstanceNamesOnAFreshMachine: on Windows PowerShell 5.1 `list-
// instances --format json` prints [] on a fresh machine, and
// @(ConvertFrom-Json ...) then holds one empty array whose .InstanceName
// throws under Set-StrictMode. The names are read with foreach over the
// parsed value, each item checked for the property (review A1).
func TestInstanceNamesOnAFreshMachine(t *testing.T) {
	seen := 0
	for _, s := range everyScript(t) {
		if strings.Contains(string(s.Content), "@(ConvertFrom-Json") {
			t.Errorf("%s wraps ConvertFrom-Json in @()", s.Name)
		}
		body := functionBody(s.Content, "Get-InstanceName")
		if body == "" {
			continue
		}
		seen++
		lines := strings.Split(body, "\n")
		read := findLine(lines, 0, "$instance.InstanceName")
		if read < 0 {
			t.Errorf("%s: Get-InstanceName does not read InstanceName", s.Name)
			continue
		}
		chain := branchChain(lines, read)
		if len(chain) != 1 || !strings.Contains(chain[0], "$instance.PSObject.Properties['InstanceName']") {
			t.Errorf("%s: InstanceName is read under %q, not after checking the property", s.Name, chain)
		}
		loop := blockHeader(lines, blockHeader(lines, read))
		if loop < 0 || strings.TrimSpace(lines[loop]) != "foreach ($instance in $parsed) {" {
			t.Errorf("%s: Get-InstanceName does not loop over the parsed value", s.Name)
		}
		if findLine(lines, 0, "$parsed = ConvertFrom-Json -InputObject ") < 0 {
			t.Errorf("%s: Get-InstanceName does not assign ConvertFrom-Json's value", s.Name)
		}
	}
	if seen < 20 {
		t.Fatalf("only %d scripts define Get-InstanceName", seen)
	}
}

// TestNativeCommandThatCannotStart: when the .exe cannot start (AppLocker,
// WDAC, access denied) the call throws a statement-terminating error that
// $ErrorActionPreference = 'Continue' would only print, leaving an old
// $LASTEXITCODE to pass for success. The call sits in try/catch, the exit
// code is read inside the try, and the catch throws naming the command
// (review A7).
func TestNativeCommandThatCannotStart(t *testing.T) {
	seen := 0
	for _, s := range everyScript(t) {
		body := functionBody(s.Content, "Invoke-NativeCommand")
		if body == "" {
			continue
		}
		seen++
		lines := strings.Split(body, "\n")
		call := findLine(lines, 0, "& $FilePath --% %OCTOHA_NATIVE_ARGUMENTS%")
		if call < 0 {
			t.Errorf("%s: Invoke-NativeCommand does not run the .exe", s.Name)
			continue
		}
		if chain := branchChain(lines, call); len(chain) != 1 || chain[0] != "try {" {
			t.Errorf("%s: the .exe runs under %q, not in a try block", s.Name, chain)
		}
		if next := nextCode(lines, call); next != "$exitCode = $LASTEXITCODE" {
			t.Errorf("%s: after the call comes %q, not the exit code read in the try", s.Name, next)
		}
		catch := findLine(lines, call, "catch {")
		throw := findLine(lines, call, "throw ('{0} could not run: {1}' -f $Name, $_.Exception.Message)")
		if catch < 0 || throw < 0 || blockHeader(lines, throw) != catch {
			t.Errorf("%s: no catch that throws '<command> could not run'", s.Name)
		}
		restore := findLine(lines, throw, "$ErrorActionPreference = 'Stop'")
		if finally := findLine(lines, call, "finally {"); finally < 0 || restore < 0 || blockHeader(lines, restore) != finally {
			t.Errorf("%s: $ErrorActionPreference is not restored in a finally block", s.Name)
		}
		if reset := strings.Index(body, "$exitCode = $null"); reset < 0 || reset > strings.Index(body, "try {") {
			t.Errorf("%s: $exitCode is not reset before the call", s.Name)
		}
	}
	if seen < 20 {
		t.Fatalf("only %d scripts define Invoke-NativeCommand", seen)
	}
}
