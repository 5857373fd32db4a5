package testkit

import (
	"bytes"
	"strings"
	"testing"
)

// utf8BOM starts a script that holds non-ASCII text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// scriptMust is what every emitted script holds: the 5.1 and elevation
// requirements, comment-based help, -WhatIf support, strict mode, errors
// that stop, and a transcript.
var scriptMust = []string{
	"#Requires -Version 5.1\r\n", "#Requires -RunAsAdministrator\r\n",
	".SYNOPSIS", ".DESCRIPTION", ".EXAMPLE",
	"[CmdletBinding(SupportsShouldProcess)]", "Set-StrictMode -Version Latest",
	"$ErrorActionPreference = 'Stop'", "Start-Transcript", "Stop-Transcript",
	"$PSCmdlet.ShouldProcess(",
}

// scriptNever is what no emitted script holds: output that bypasses the
// streams, code built from strings, secrets turned into plain text, and
// errors swallowed whole.
var scriptNever = []string{"Write-Host", "Invoke-Expression", "ConvertFrom-SecureString", "-AsPlainText", "catch {}", "catch { }"}

// ScriptLayout holds a rendered PowerShell script (named where in the
// messages) to the conventions every emitted script follows: scriptMust
// and scriptNever, CRLF line ends without trailing whitespace, a UTF-8 BOM
// exactly when the text is not ASCII (PSUseBOMForUnicodeEncodedFile), and
// a .PARAMETER help entry for every parameter of param() and back.
func ScriptLayout(t testing.TB, where string, content []byte) {
	t.Helper()
	text := string(content)
	for _, want := range scriptMust {
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
	hasNonASCII := bytes.ContainsFunc(content, func(r rune) bool { return r > 0x7f })
	if hasBOM := bytes.HasPrefix(content, utf8BOM); hasNonASCII != hasBOM {
		t.Errorf("%s: non-ASCII %v but BOM %v; PSUseBOMForUnicodeEncodedFile wants a BOM exactly when non-ASCII", where, hasNonASCII, hasBOM)
	}
	for _, banned := range scriptNever {
		if strings.Contains(text, banned) {
			t.Errorf("%s contains %q", where, banned)
		}
	}
	helpParameters(t, where, text)
}

// helpParameters compares the .PARAMETER entries of the help with the
// param() block's variables.
func helpParameters(t testing.TB, where, text string) {
	t.Helper()
	help := map[string]bool{}
	for _, line := range strings.Split(text, "\r\n") {
		if name, ok := strings.CutPrefix(line, ".PARAMETER "); ok {
			help[strings.TrimSpace(name)] = true
		}
	}
	params, ok := paramNames(text)
	if !ok {
		t.Errorf("%s: no param() block", where)
		return
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

// paramNames are the variables the script's param() block declares.
func paramNames(text string) (map[string]bool, bool) {
	start := strings.Index(text, "\r\nparam(")
	if start < 0 {
		return nil, false
	}
	end := strings.Index(text[start:], "\r\n)\r\n")
	if end < 0 {
		return nil, false
	}
	params := map[string]bool{}
	for _, line := range strings.Split(text[start:start+end], "\r\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "] $"); i >= 0 && !strings.HasPrefix(line, "[Parameter") {
			name := strings.TrimRight(strings.Fields(line[i+3:])[0], ",")
			params[name] = true
		}
	}
	return params, true
}
