package tmplcheck

import (
	"slices"
	"strings"
	"testing"
	"text/template"
)

var quoting = template.FuncMap{"q": func(s string) string { return "'" + s + "'" }}

// TestCatchesRawValues proves the walk finds a raw action wherever it
// sits: at the top, in every branch of if, range and with, and in a
// defined template; and that it passes quoted ones and declarations.
func TestCatchesRawValues(t *testing.T) {
	src := `{{$x := .Name}}{{q .Name}} {{.Name | q}} {{.Name}}
{{if .Name}}{{.Name}}{{else if .Name}}{{q .Name}}{{else}}{{$x}}{{end}}
{{range .List}}{{q .}}{{else}}{{printf "%s" .Name}}{{end}}
{{with .Name}}{{q .}}{{else}}{{len .List}}{{end}}
{{define "sub"}}{{(q .Name)}}{{end}}{{template "sub" .}}`
	tmpl := template.Must(template.New("t").Funcs(quoting).Parse(src))
	printed, unquoted := Check(quoting, tmpl.Templates()...)
	want := []string{"{{.Name}}", "{{.Name}}", "{{$x}}", `{{printf "%s" .Name}}`, "{{len .List}}", "{{(q .Name)}}"}
	if printed != 11 || len(unquoted) != len(want) {
		t.Fatalf("printed %d, unquoted %q; want 11 printed and %q", printed, unquoted, want)
	}
	for _, w := range want {
		found := false
		for _, u := range unquoted {
			found = found || strings.HasSuffix(u, ": "+w)
		}
		if !found {
			t.Errorf("%s was not reported: %q", w, unquoted)
		}
	}
	if !slices.ContainsFunc(unquoted, func(u string) bool { return strings.HasPrefix(u, "t:1:") }) {
		t.Errorf("%q does not say where the actions are", unquoted)
	}
}

func TestActionsSayWhereAndWhich(t *testing.T) {
	tmpl := template.Must(template.New("f.tmpl").Funcs(quoting).Parse("a\n| {{q .A}} | {{.B}} |\n{{if .C}}{{.C | q}}{{end}}"))
	got := Actions(tmpl)
	want := []Action{
		{File: "f.tmpl", Line: 2, Where: "f.tmpl:2:4", Func: "q", Text: "{{q .A}}"},
		{File: "f.tmpl", Line: 2, Where: "f.tmpl:2:15", Func: "", Text: "{{.B}}"},
		{File: "f.tmpl", Line: 3, Where: "f.tmpl:3:11", Func: "q", Text: "{{.C | q}}"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
