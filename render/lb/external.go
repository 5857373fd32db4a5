package lb

import (
	"bytes"
	"embed"
	"fmt"
	"maps"
	"strings"
	"sync"
	"text/template"

	"github.com/octoha/octoha/internal/markdown"
	"github.com/octoha/octoha/render/ps"
	"github.com/octoha/octoha/steps"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{
		"join": strings.Join,
		"ps":   ps.Quote,
	}
	maps.Copy(funcs, markdown.Funcs)
	return template.Must(template.New("lb").Funcs(funcs).ParseFS(templateFiles, "templates/*.tmpl"))
})

func render(name string, a steps.Answers) ([]byte, error) {
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := templates().ExecuteTemplate(&buf, name, v); err != nil {
		return nil, fmt.Errorf("rendering the %s: %w", strings.TrimSuffix(name, ".tmpl"), unwrapExec(err))
	}
	return buf.Bytes(), nil
}

func unwrapExec(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, "error calling "); i >= 0 {
		if j := strings.Index(msg[i:], ": "); j >= 0 {
			return fmt.Errorf("%s", msg[i+j+2:])
		}
	}
	return err
}
