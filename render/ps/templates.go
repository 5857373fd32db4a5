package ps

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"text/template"
)

//go:embed templates/*.ps1.tmpl
var templateFiles embed.FS

// quotingFuncs are the template functions that turn a value into
// PowerShell. An action that prints must end in one of them; the test
// TestEveryPrintedValueIsQuoted walks every template to hold that.
var quotingFuncs = template.FuncMap{
	"ps":      quoteValue,
	"psList":  quoteValues,
	"psBool":  Bool,
	"num":     Int,
	"comment": CommentText,
}

// templates are parsed on first use, not at start-up: the wizard starts
// without them.
var templates = sync.OnceValue(parseTemplates)

// parseTemplates parses every template with its text's line ends turned
// into CRLF (Windows tools expect them). Only the template text changes: a
// value keeps its bytes, so a quoted value still decodes to itself.
func parseTemplates() *template.Template {
	root := template.New("ps").Funcs(quotingFuncs).Option("missingkey=error")
	names, err := fs.Glob(templateFiles, "templates/*.ps1.tmpl")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		text, err := templateFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		crlf := strings.ReplaceAll(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n", "\r\n")
		template.Must(root.New(path.Base(name)).Parse(crlf))
	}
	return root
}

// execute renders one template. A script that holds any non-ASCII
// character gets a UTF-8 BOM: Windows PowerShell 5.1 reads a file without
// one as the ANSI code page (PSUseBOMForUnicodeEncodedFile).
func execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", strings.TrimSuffix(name, ".tmpl"), err)
	}
	return withBOM(b.Bytes()), nil
}

// quoteValue is Quote for templates: it refuses a NUL, which no PowerShell
// literal can carry (the parser stops at it), so rendering fails with an
// error instead of emitting a broken script.
func quoteValue(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("the value %q holds a NUL character, which cannot go into a PowerShell script; remove it from the answers", strings.ReplaceAll(s, "\x00", ""))
	}
	return Quote(s), nil
}

// quoteValues is QuoteList for templates, refusing a NUL like quoteValue.
func quoteValues(values []string) (string, error) {
	for _, v := range values {
		if _, err := quoteValue(v); err != nil {
			return "", err
		}
	}
	return QuoteList(values), nil
}

// utf8BOM marks a script as UTF-8 for Windows PowerShell 5.1.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// withBOM adds the BOM when the script holds any non-ASCII character.
func withBOM(src []byte) []byte {
	for _, c := range src {
		if c >= 0x80 {
			return append(append([]byte{}, utf8BOM...), src...)
		}
	}
	return src
}
