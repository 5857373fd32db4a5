package ps

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/octoha/octoha/internal/winsim"
)

// Every value a script passes to an .exe (Octopus.Server.exe, Tentacle.exe,
// sc.exe) must reach it as exactly one argument equal to the value, in every
// PowerShell an admin may run the script in. PowerShell does not hand an .exe
// its arguments: it writes ONE command line, each version in its own way, and
// the .exe's C runtime splits it again. This file models both halves from
// their sources and runs the emitted functions in a real PowerShell between
// them:
//
//  1. testdata/native-arguments.ps1 takes ConvertTo-NativeArgument and
//     Invoke-NativeCommand out of a rendered script and runs them in the real
//     PowerShell (winsim.FindPwsh), once per version below, with a recorder
//     in place of the .exe: the recorder keeps what PowerShell hands its
//     native argument binder.
//  2. The version's binder (models below, from PowerShell's
//     NativeCommandParameterBinder.cs at that version) and .NET's
//     Process.Start turn that into the command line CreateProcess gets.
//  3. parseCommandLine splits it by Microsoft's documented rules.
//
// The real runs pass the same values to a real executable through .NET's
// own Process.Start on this machine, with Standard and Legacy passing.

// nativeVersion is one PowerShell an admin may run the scripts in: what the
// emitted functions can see of it, and how it builds the command line.
type nativeVersion struct {
	Name string
	// Edition is $PSVersionTable.PSEdition; Passing is the session's
	// $PSNativeCommandArgumentPassing, nil where the variable does not exist.
	Edition string
	Passing *string
	build   func(exe string, c nativeCall) string
}

func passing(style string) *string { return &style }

// nativeVersions: PowerShell's source is github.com/PowerShell/PowerShell,
// src/System.Management.Automation/engine/NativeCommandParameterBinder.cs
// and NativeCommandProcessor.cs; experimental features are off unless named.
var nativeVersions = []nativeVersion{
	// Windows PowerShell 5.1 is closed source. PowerShell 6 was opened from
	// its code in 2016, and commit 8bca1f50 (6.0.0-alpha.10) is the first
	// change since to how an argument is quoted: the code before it is 5.1's.
	{Name: "Windows PowerShell 5.1", Edition: "Desktop", build: func(exe string, c nativeCall) string {
		return netFrameworkCommandLine(exe, binder51(c))
	}},
	// 7.0 and 7.1 have no $PSNativeCommandArgumentPassing; 7.2 has it only
	// with the experimental feature PSNativeCommandArgumentPassing, whose
	// default on Windows is Windows (InitialSessionState.AddVariables).
	{Name: "PowerShell 7.0-7.2", Edition: "Core", build: func(exe string, c nativeCall) string {
		return netCommandLine(exe, binder7(c, binderOptions{style: legacy}), nil)
	}},
	{Name: "PowerShell 7.2, experimental Windows passing", Edition: "Core", Passing: passing("Windows"), build: build7(true, false)},
	{Name: "PowerShell 7.2, experimental Standard passing", Edition: "Core", Passing: passing("Standard"), build: build7(true, false)},
	{Name: "PowerShell 7.3-7.6, Windows passing (the default on Windows)", Edition: "Core", Passing: passing("Windows"), build: build7(false, false)},
	{Name: "PowerShell 7.3-7.6, Standard passing", Edition: "Core", Passing: passing("Standard"), build: build7(false, false)},
	{Name: "PowerShell 7.3-7.6, Legacy passing", Edition: "Core", Passing: passing("Legacy"), build: build7(false, false)},
	// Commit c56a52b8 (7.5, experimental PSNativeWindowsTildeExpansion,
	// stable from 7.7 by 943257b2) expands a leading ~ on Windows too.
	{Name: "PowerShell 7.7, Windows passing", Edition: "Core", Passing: passing("Windows"), build: build7(false, true)},
	{Name: "PowerShell 7.7, Legacy passing", Edition: "Core", Passing: passing("Legacy"), build: build7(false, true)},
}

// nativeExes are the .exe files the scripts run, as Windows paths.
var nativeExes = []string{
	`C:\Program Files\Octopus Deploy\Octopus\Octopus.Server.exe`,
	`C:\Program Files\Octopus Deploy\Tentacle\Tentacle.exe`,
	`C:\Windows\System32\sc.exe`,
}

// nativeCall is what the emitted Invoke-NativeCommand handed PowerShell's
// native binder: the arguments as strings (a literal --% is one of them),
// the passing style in force where the .exe was called ("" when
// $PSNativeCommandArgumentPassing does not exist), and the environment
// variables that %NAME% in an argument names.
type nativeCall struct {
	Args        []string
	Passing     string
	Environment map[string]string
}

type passingStyle int

const (
	legacy passingStyle = iota
	standard
	windows
)

// styleOf is ArgumentPassingStyle: the variable converted to the enum,
// Standard when it does not exist, Legacy when it does not convert.
func styleOf(v string, missing passingStyle) passingStyle {
	switch strings.ToLower(v) {
	case "":
		return missing
	case "legacy":
		return legacy
	case "standard":
		return standard
	case "windows":
		return windows
	}
	return legacy
}

// build7 is PowerShell 7.2 (with the experimental feature) and later:
// NativeCommandProcessor's UseSpecialArgumentPassing takes the Arguments
// string for Legacy, and for Windows when the file is in
// s_legacyFileExtensions or s_legacyCommands; otherwise
// ProcessStartInfo.ArgumentList. In 7.2 an empty argument joins the
// ArgumentList only with Standard (0f21156d fixed Windows in 7.3).
func build7(v72, tilde bool) func(exe string, c nativeCall) string {
	return func(exe string, c nativeCall) string {
		o := binderOptions{style: styleOf(c.Passing, standard), emptyOnlyStandard: v72, tilde: tilde}
		if o.style == windows {
			name := strings.ToLower(windowsBase(exe))
			ext := name[max(strings.LastIndex(name, "."), 0):]
			if slices.Contains([]string{".js", ".wsf", ".cmd", ".bat", ".vbs"}, ext) ||
				slices.Contains([]string{"cmd", "cscript", "find", "sqlcmd", "wscript"}, strings.TrimSuffix(name, ext)) {
				o.style = legacy
			}
		}
		b := binder7(c, o)
		if o.style == legacy {
			return netCommandLine(exe, b, nil)
		}
		return netCommandLine(exe, b, b.list)
	}
}

func windowsBase(p string) string { return p[strings.LastIndexAny(p, `\/`)+1:] }

// binder51 is BindParameters and appendOneNativeArgument before commit
// 8bca1f50: a space between arguments, an empty argument dropped (its
// space stays), the text after --% with environment variables expanded and
// nothing else, and an argument wrapped in double quotes when it holds
// white space after an even number of double quotes, counting every one.
func binder51(c nativeCall) string {
	var b strings.Builder
	verbatim := false
	for i, arg := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if arg == "--%" {
			verbatim = true
			continue
		}
		switch {
		case arg == "":
		case verbatim:
			b.WriteString(expandEnvironment(arg, c.Environment))
		case needQuotes51(arg):
			b.WriteString(`"` + arg + `"`)
		default:
			b.WriteString(arg)
		}
	}
	return b.String()
}

func needQuotes51(arg string) bool {
	quotes := 0
	for _, r := range arg {
		if r == '"' {
			quotes++
		} else if isWhiteSpace(r) && quotes%2 == 0 {
			return true
		}
	}
	return false
}

// binderResult is the binder's two outputs: the Arguments string (Legacy)
// and the ArgumentList.
type binderResult struct {
	arguments string
	list      []string
}

// binderOptions are what differs between PowerShell 7 versions.
type binderOptions struct {
	style             passingStyle
	emptyOnlyStandard bool
	tilde             bool
}

// binder7 is BindParameters, AppendOneNativeArgument and PossiblyGlobArg of
// PowerShell 7 on Windows (v7.0.0 to today): NeedQuotes skips a quote after
// a backslash (commit 8bca1f50), a quoted argument gets its trailing
// backslashes doubled (59311d03), the ArgumentList gets the argument itself
// (a520e2c9, 7.2) and an empty one unless Legacy; after --% the
// ArgumentList gets the expanded text split at spaces. With tilde, an
// argument that needs no quotes and is ~ or starts with ~\ or ~/ has the ~
// replaced by the home folder (ExpandTilde).
func binder7(c nativeCall, o binderOptions) binderResult {
	var r binderResult
	var b strings.Builder
	verbatim := false
	for i, arg := range c.Args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if arg == "--%" {
			verbatim = true
			continue
		}
		switch {
		case arg == "":
			if o.style == standard || (o.style == windows && !o.emptyOnlyStandard) {
				r.list = append(r.list, "")
			}
		case verbatim:
			text := expandEnvironment(arg, c.Environment)
			b.WriteString(text)
			for _, part := range strings.Split(text, " ") {
				if part != "" {
					r.list = append(r.list, part)
				}
			}
		case needQuotes7(arg):
			trailing := len(arg) - len(strings.TrimRight(arg, `\`))
			b.WriteString(`"` + arg + strings.Repeat(`\`, trailing) + `"`)
			r.list = append(r.list, arg)
		default:
			if o.tilde && (arg == "~" || strings.HasPrefix(arg, `~\`) || strings.HasPrefix(arg, "~/")) {
				arg = `C:\Users\admin` + arg[1:]
			}
			b.WriteString(arg)
			r.list = append(r.list, arg)
		}
	}
	r.arguments = b.String()
	return r
}

func needQuotes7(arg string) bool {
	quotes := 0
	afterBackslash := false
	for _, r := range arg {
		if r == '"' && !afterBackslash {
			quotes++
		} else if isWhiteSpace(r) && quotes%2 == 0 {
			return true
		}
		afterBackslash = r == '\\'
	}
	return false
}

// isWhiteSpace is .NET's char.IsWhiteSpace: Unicode's White_Space, which
// is what unicode.IsSpace tests.
func isWhiteSpace(r rune) bool { return unicode.IsSpace(r) }

// expandEnvironment is ExpandEnvironmentStrings: %NAME% of a defined
// variable (names ignore case) becomes its value, anything else stays.
func expandEnvironment(s string, env map[string]string) string {
	var b strings.Builder
	for {
		start := strings.IndexByte(s, '%')
		if start < 0 {
			break
		}
		end := strings.IndexByte(s[start+1:], '%')
		if end < 0 {
			break
		}
		name := s[start+1 : start+1+end]
		value, ok := "", false
		for k, v := range env {
			if strings.EqualFold(k, name) {
				value, ok = v, true
			}
		}
		if !ok {
			b.WriteString(s[:start+1])
			s = s[start+1:]
			continue
		}
		b.WriteString(s[:start] + value)
		s = s[start+end+2:]
	}
	return b.String() + s
}

// netFrameworkCommandLine is .NET Framework's Process.BuildCommandLine
// (referencesource.microsoft.com, System/services/monitoring/system/
// diagnosticts/Process.cs): the file name in quotes, then a space and the
// Arguments string when it is not empty.
func netFrameworkCommandLine(exe, arguments string) string {
	line := `"` + exe + `"`
	if arguments != "" {
		line += " " + arguments
	}
	return line
}

// netCommandLine is .NET's Process.Windows BuildCommandLine and
// ProcessStartInfo.AppendArgumentsTo (dotnet/runtime): the file name in
// quotes, then each ArgumentList item through PasteArguments, or else a
// space and the Arguments string.
func netCommandLine(exe string, b binderResult, list []string) string {
	line := `"` + exe + `"`
	if len(list) > 0 {
		for _, arg := range list {
			line = pasteArgument(line, arg)
		}
		return line
	}
	if b.arguments != "" {
		line += " " + b.arguments
	}
	return line
}

// pasteArgument is PasteArguments.AppendArgument (dotnet/runtime,
// src/libraries/System.Private.CoreLib/src/System/PasteArguments.cs).
func pasteArgument(line, arg string) string {
	var b strings.Builder
	b.WriteString(line)
	if line != "" {
		b.WriteByte(' ')
	}
	if arg != "" && !strings.ContainsFunc(arg, func(r rune) bool { return isWhiteSpace(r) || r == '"' }) {
		b.WriteString(arg)
		return b.String()
	}
	b.WriteByte('"')
	for i := 0; i < len(arg); {
		c := arg[i]
		i++
		switch c {
		case '\\':
			n := 1
			for i < len(arg) && arg[i] == '\\' {
				i++
				n++
			}
			switch {
			case i == len(arg):
				b.WriteString(strings.Repeat(`\`, 2*n))
			case arg[i] == '"':
				b.WriteString(strings.Repeat(`\`, 2*n+1) + `"`)
				i++
			default:
				b.WriteString(strings.Repeat(`\`, n))
			}
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// parseCommandLine splits a command line by the Microsoft C runtime's
// documented rules ("Parsing C command-line arguments",
// https://learn.microsoft.com/cpp/c-language/parsing-c-command-line-arguments;
// CommandLineToArgvW documents the same backslash rules):
//   - arguments are delimited by spaces or tabs;
//   - argv[0] is the program name: double-quoted parts are allowed and
//     removed, no other rule applies;
//   - a double-quoted string is one argument, white space and all, and can
//     be embedded in an argument; a command line that ends inside one ends
//     the last argument;
//   - 2n backslashes and a double quote give n backslashes and a delimiter,
//     2n+1 give n backslashes and a literal quote, backslashes before
//     anything else are literal;
//   - within a quoted string, a pair of double quotes is one literal quote.
//
// The last rule is the one parsers disagree on: after the pair, some stay
// inside the quoted string (dotnet/runtime's PasteArguments calls it the
// post-2008 rule), others leave it (the docs' own example, corrected in
// MicrosoftDocs/cpp-docs#4643: a"b"" c d is ab", c and d). pairEndsQuote
// picks the second; a command line that parses the same both ways does not
// depend on which C runtime the .exe has.
func parseCommandLine(line string, pairEndsQuote bool) []string {
	i := 0
	var name strings.Builder
	quoted := false
	for ; i < len(line); i++ {
		c := line[i]
		if c == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (c == ' ' || c == '\t') {
			break
		}
		name.WriteByte(c)
	}
	argv := []string{name.String()}
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			return argv
		}
		var arg strings.Builder
		quoted = false
	argument:
		for i < len(line) {
			c := line[i]
			switch {
			case c == '\\':
				n := 0
				for i < len(line) && line[i] == '\\' {
					i++
					n++
				}
				if i < len(line) && line[i] == '"' {
					arg.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						arg.WriteByte('"')
						i++
					}
				} else {
					arg.WriteString(strings.Repeat(`\`, n))
				}
			case c == '"':
				if quoted && i+1 < len(line) && line[i+1] == '"' {
					arg.WriteByte('"')
					i += 2
					if pairEndsQuote {
						quoted = false
					}
					continue
				}
				quoted = !quoted
				i++
			case (c == ' ' || c == '\t') && !quoted:
				break argument
			default:
				arg.WriteByte(c)
				i++
			}
		}
		argv = append(argv, arg.String())
	}
}

// TestCommandLineModels holds the models to their sources' own examples.
func TestCommandLineModels(t *testing.T) {
	// The table in "Parsing C command-line arguments".
	for _, c := range []struct {
		line      string
		ucrt, old []string
	}{
		{`"a b c" d e`, []string{"a b c", "d", "e"}, nil},
		{`"ab\"c" "\\" d`, []string{`ab"c`, `\`, "d"}, nil},
		{`a\\\b d"e f"g h`, []string{`a\\\b`, "de fg", "h"}, nil},
		{`a\\\"b c d`, []string{`a\"b`, "c", "d"}, nil},
		{`a\\\\"b c" d e`, []string{`a\\b c`, "d", "e"}, nil},
		{`a"b"" c d`, []string{`ab" c d`}, []string{`ab"`, "c", "d"}},
	} {
		if c.old == nil {
			c.old = c.ucrt
		}
		for _, pairEndsQuote := range []bool{false, true} {
			want := c.ucrt
			if pairEndsQuote {
				want = c.old
			}
			got := parseCommandLine(`"C:\Program Files\x.exe" `+c.line, pairEndsQuote)
			if got[0] != `C:\Program Files\x.exe` || !slices.Equal(got[1:], want) {
				t.Errorf("%s (pair ends quote %v): %q, want %q", c.line, pairEndsQuote, got, want)
			}
		}
	}
	// NativeCommandParameterBinder's comment: $a = 'a"b c"d' needs no quotes
	// (its space is inside quotes) and reaches the .exe as ab cd.
	c := nativeCall{Args: []string{`a"b c"d`}}
	for _, v := range nativeVersions[:2] {
		if got := parseCommandLine(v.build(nativeExes[0], c), false); !slices.Equal(got[1:], []string{"ab cd"}) {
			t.Errorf("%s: %q", v.Name, got)
		}
	}
	// Escaped as Pa\"ss word (as the scripts once did), 5.1 counts the escaped
	// quote, sees the space inside quotes, adds none, and the .exe gets two
	// arguments; PowerShell 7 skips it (8bca1f50) and quotes the argument.
	c = nativeCall{Args: []string{`Pa\"ss word`}}
	if got := parseCommandLine(nativeVersions[0].build(nativeExes[0], c), false); !slices.Equal(got[1:], []string{`Pa"ss`, "word"}) {
		t.Errorf("5.1: %q", got)
	}
	if got := parseCommandLine(nativeVersions[1].build(nativeExes[0], c), false); !slices.Equal(got[1:], []string{`Pa"ss word`}) {
		t.Errorf("7.0: %q", got)
	}
	// PasteArguments' output parses back to its input under both rules.
	for _, arg := range nativeArgumentSeeds {
		line := pasteArgument(`"x.exe"`, arg)
		for _, pairEndsQuote := range []bool{false, true} {
			if got := parseCommandLine(line, pairEndsQuote); !slices.Equal(got, []string{"x.exe", arg}) {
				t.Errorf("PasteArguments %q: %s parses as %q", arg, line, got)
			}
		}
	}
}

// nativeArgumentSeeds are hostile values: quotes, backslashes before quotes
// and at the end, spaces, tabs, the empty string, Unicode, PowerShell's own
// markers (--%, ~, wildcards, %VAR%) and the winsim hostile secret.
var nativeArgumentSeeds = []string{
	`Pa"ss word`, "plain", "", " ", "  two  spaces  ", "\t", "a\tb", "tab\t\"q\" x",
	`"`, `""`, `"quoted"`, `" leading quote`, `trailing quote "`, `a"b c"d`, `a"b"" c d`, `"Pa"ss word"`,
	`back\slash`, `C:\Program Files\Octopus\`, `C:\Octopus\`, `\\fs01\Octopus\`, `\\fs01\Octopus share\`,
	`a\"b`, `a\\"b c`, `\"`, `\\"`, `\\\" x`, `x \\`, `\`, `\\`, `Pa"ss word\`, `p"\`, `" \`, `\" \\" \`,
	"Pässwörd ✓ 密码", "emoji 😀 \"q\"", "nbsp\u00a0\"x", "ideographic\u3000\"space\" x", "line\u2028sep",
	"--%", "--% a b", "%PATH%", "%OCTOHA_NATIVE_ARGUMENTS%", "100%", "~", `~\x`, "~/x", "-a b", "--console",
	"*", "?", "[a]", "$(x)", "'single'", "`backtick", "a;b", "a|b", "&&", `^"`, "obj=",
	"p'\u2019\"`$(Invoke-Pwned x); x \\",
}

// TestNativeArgumentsRoundTrip: all the seeds in one call, and each
// between empty arguments, through every version (FuzzNativeArguments's
// seeds pass each next to another).
func TestNativeArgumentsRoundTrip(t *testing.T) {
	h := nativeHarness(t)
	calls := [][]string{nativeArgumentSeeds}
	for _, v := range nativeArgumentSeeds {
		calls = append(calls, []string{"", v, ""})
	}
	for _, values := range calls {
		h.check(t, values)
	}
}

// FuzzNativeArguments is the round trip of two fuzzed values; its seeds run
// in every go test.
func FuzzNativeArguments(f *testing.F) {
	for i, v := range nativeArgumentSeeds {
		f.Add(v, nativeArgumentSeeds[(i+1)%len(nativeArgumentSeeds)])
	}
	h := nativeHarness(f)
	// A PowerShell string is UTF-16, and no command line holds a NUL.
	valid := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "") }
	f.Fuzz(func(t *testing.T, a, b string) {
		h.check(t, []string{valid(a), valid(b)})
	})
}

//go:embed testdata/native-arguments.ps1
var nativeArgumentsHost []byte

// harness is one PowerShell running testdata/native-arguments.ps1.
type harness struct {
	mu  sync.Mutex
	in  io.WriteCloser
	out *bufio.Reader
	err *bytes.Buffer
}

// nativeHarness starts the host for one test (a fuzz worker starts its
// own), or skips the test where there is no PowerShell.
func nativeHarness(tb testing.TB) *harness {
	tb.Helper()
	pwsh, err := winsim.FindPwsh()
	if err != nil {
		tb.Skip("skipped: no PowerShell (" + err.Error() + ")")
	}
	// The functions come from one define, so every script holds the same
	// text; the host reads them from the first.
	var first []byte
	var text string
	for _, s := range everyScript(tb) {
		defs := functionText(s.Content, "ConvertTo-NativeArgument") + functionText(s.Content, "Invoke-NativeCommand")
		if !strings.Contains(defs, "function Invoke-NativeCommand {") {
			continue
		}
		if first == nil {
			first, text = s.Content, defs
		} else if defs != text {
			tb.Fatalf("%s defines ConvertTo-NativeArgument or Invoke-NativeCommand differently", s.Name)
		}
	}
	if first == nil {
		tb.Fatal("no script defines Invoke-NativeCommand")
	}
	dir := tb.TempDir()
	empty := filepath.Join(dir, "empty")
	files := map[string][]byte{
		"script.ps1": first, "host.ps1": nativeArgumentsHost,
		// The argv, each argument ended by a NUL.
		"dumper": []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > \"$OCTOHA_TEST_ARGV\"\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Mkdir(empty, 0o755); err != nil {
		tb.Fatal(err)
	}
	argv := filepath.Join(dir, "argv")
	cmd := exec.Command(pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
		"-File", filepath.Join(dir, "host.ps1"), "-Script", filepath.Join(dir, "script.ps1"),
		"-Dumper", filepath.Join(dir, "dumper"), "-ArgvFile", argv, "-EmptyDir", empty)
	cmd.Env = append(os.Environ(), "OCTOHA_TEST_ARGV="+argv, "POWERSHELL_TELEMETRY_OPTOUT=1", "POWERSHELL_UPDATECHECK=Off", "NO_COLOR=1", "TERM=dumb")
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	h := &harness{in: in, out: bufio.NewReaderSize(out, 1<<20), err: &bytes.Buffer{}}
	cmd.Stderr = h.err
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	// Closing its input ends the host's loop.
	tb.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	// A first request waits for PowerShell to start, which takes seconds:
	// a fuzz worker must not spend them on its first input.
	if _, err := h.ask([]string{"start"}); err != nil {
		tb.Fatal(err)
	}
	return h
}

// functionText is the text of a top-level function definition, from its
// line to the closing brace at the start of a line, with LF line ends.
func functionText(src []byte, name string) string {
	s := strings.ReplaceAll(string(src), "\r\n", "\n")
	start := strings.Index(s, "\nfunction "+name+" {\n")
	if start < 0 {
		return ""
	}
	end := strings.Index(s[start:], "\n}\n")
	if end < 0 {
		return ""
	}
	return s[start+1 : start+end+2]
}

type harnessReply struct {
	Error    string
	Versions []struct {
		Name string
		Call struct {
			Args        []string
			Passing     string
			Environment map[string]string
		}
	}
	Real []struct {
		Passing string
		Argv    string
	}
}

func (h *harness) ask(values []string) (harnessReply, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	type version struct {
		Name, Edition string
		Passing       *string
	}
	request := struct {
		Values   []string
		Versions []version
		Real     []string
	}{Real: []string{"Standard", "Legacy"}}
	for _, v := range values {
		request.Values = append(request.Values, b64(v))
	}
	for _, v := range nativeVersions {
		request.Versions = append(request.Versions, version{v.Name, v.Edition, v.Passing})
	}
	line, _ := json.Marshal(request)
	var reply harnessReply
	if _, err := h.in.Write(append(line, '\n')); err != nil {
		return reply, fmt.Errorf("the PowerShell host stopped: %v\n%s", err, h.err)
	}
	answer, err := h.out.ReadBytes('\n')
	if err != nil {
		return reply, fmt.Errorf("the PowerShell host stopped: %v\n%s", err, h.err)
	}
	if err := json.Unmarshal(answer, &reply); err != nil {
		return reply, fmt.Errorf("the PowerShell host answered %q: %v", answer, err)
	}
	return reply, nil
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, s string) string {
	t.Helper()
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// check passes values through the emitted functions in every version and
// wants each .exe to get exactly them.
func (h *harness) check(t *testing.T, values []string) {
	t.Helper()
	reply, err := h.ask(values)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Error != "" {
		t.Fatalf("%q: the emitted functions failed: %s", values, reply.Error)
	}
	if len(reply.Versions) != len(nativeVersions) {
		t.Fatalf("%q: %d versions answered, want %d", values, len(reply.Versions), len(nativeVersions))
	}
	for i, v := range nativeVersions {
		got := reply.Versions[i].Call
		c := nativeCall{Passing: got.Passing, Environment: map[string]string{}}
		for _, a := range got.Args {
			c.Args = append(c.Args, unb64(t, a))
		}
		for k, e := range got.Environment {
			c.Environment[k] = unb64(t, e)
		}
		for _, exe := range nativeExes {
			line := v.build(exe, c)
			for _, pairEndsQuote := range []bool{false, true} {
				argv := parseCommandLine(line, pairEndsQuote)
				if argv[0] != exe || !slices.Equal(argv[1:], values) {
					t.Errorf("%s: %q reach %s as %q\n(the function called it with %q, passing %q; command line %s)",
						v.Name, values, windowsBase(exe), argv[1:], c.Args, c.Passing, line)
					return
				}
			}
		}
	}
	for _, r := range reply.Real {
		argv := strings.Split(unb64(t, r.Argv), "\x00")
		argv = argv[:len(argv)-1]
		if !slices.Equal(argv, values) {
			t.Errorf("real PowerShell, %s passing: %q reach a real executable as %q", r.Passing, values, argv)
		}
	}
}
