package ps

import (
	"bytes"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/psparse"
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
			text := string(s.Content)
			where := name + "/" + s.Name
			for _, want := range []string{
				"#Requires -Version 5.1\r\n", "#Requires -RunAsAdministrator\r\n",
				".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE",
				"[CmdletBinding(SupportsShouldProcess)]", "Set-StrictMode -Version Latest",
				"$ErrorActionPreference = 'Stop'", "Start-Transcript", "Stop-Transcript",
				"$PSCmdlet.ShouldProcess(",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q", where, want)
				}
			}
			if strings.Contains(strings.ReplaceAll(text, "\r\n", ""), "\n") {
				t.Errorf("%s has a bare LF line end", where)
			}
			for i, line := range strings.Split(text, "\r\n") {
				if strings.TrimRight(line, " \t") != line {
					t.Errorf("%s:%d has trailing whitespace", where, i+1)
				}
			}
			hasNonASCII := bytes.ContainsFunc(s.Content, func(r rune) bool { return r > 0x7f })
			hasBOM := bytes.HasPrefix(s.Content, utf8BOM)
			if hasNonASCII != hasBOM {
				t.Errorf("%s: non-ASCII %v but BOM %v; PSUseBOMForUnicodeEncodedFile wants a BOM exactly when non-ASCII", where, hasNonASCII, hasBOM)
			}
			for _, banned := range []string{"Write-Host", "Invoke-Expression", "ConvertFrom-SecureString", "-AsPlainText", "'--dependOn'", "catch {}", "catch { }"} {
				if strings.Contains(text, banned) {
					t.Errorf("%s contains %q", where, banned)
				}
			}
			// Every .PARAMETER in the help names a parameter, and back.
			checkHelpParameters(t, where, text)
		}
	}
}

// checkHelpParameters compares the .PARAMETER entries of the help with the
// param() block's variables.
func checkHelpParameters(t *testing.T, where, text string) {
	t.Helper()
	help := map[string]bool{}
	for _, line := range strings.Split(text, "\r\n") {
		if name, ok := strings.CutPrefix(line, ".PARAMETER "); ok {
			help[strings.TrimSpace(name)] = true
		}
	}
	start := strings.Index(text, "\r\nparam(")
	end := strings.Index(text[start:], "\r\n)\r\n")
	if start < 0 || end < 0 {
		t.Errorf("%s: no param() block", where)
		return
	}
	params := map[string]bool{}
	for _, line := range strings.Split(text[start:start+end], "\r\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "] $"); i >= 0 && !strings.HasPrefix(line, "[Parameter") {
			name := line[i+3:]
			name = strings.TrimRight(strings.Fields(name)[0], ",")
			params[name] = true
		}
	}
	for p := range params {
		if !help[p] {
			t.Errorf("%s: parameter %s has no .PARAMETER help", where, p)
		}
	}
	for h := range help {
		if !params[h] {
			t.Errorf("%s: .PARAMETER %s names no parameter", where, h)
		}
	}
}
