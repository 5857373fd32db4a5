// Package lb renders load balancer configurations for the Octopus nodes:
// NGINX, HAProxy, and notes for a balancer octoha cannot configure. Each
// renderer is a pure function of validated answers; the facts behind every
// line are in ../shared/reference/octopus-ha.md §5 and §6.
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

// templates are parsed once, on first use (the wizard starts without them);
// a template that does not parse is a bug caught by every test, so Must is
// right here.
var templates = sync.OnceValue(func() *template.Template {
	funcs := template.FuncMap{
		"ngx":     nginxQuote,
		"hap":     haproxyQuote,
		"hapname": haproxyName,
		"host":    hostToken,
		"comment": comment,
		"join":    strings.Join,
		// ps quotes a value for a PowerShell command the admin runs on a
		// node, printed in a comment or a Markdown code block.
		"ps":  ps.Quote,
		"add": func(a, b int) int { return a + b },
	}
	// The Markdown notes print every value through internal/markdown.
	maps.Copy(funcs, markdown.Funcs)
	return template.Must(template.New("lb").Funcs(funcs).ParseFS(templateFiles, "templates/*.tmpl"))
})

// Nginx renders nginx/octopus.conf: a complete nginx.conf for open-source
// NGINX as Debian and Ubuntu package it.
func Nginx(a steps.Answers) ([]byte, error) {
	return render("nginx.conf.tmpl", a)
}

// HAProxy renders haproxy/haproxy.cfg: a complete configuration for
// HAProxy 2.6 or later as Debian and Ubuntu package it.
func HAProxy(a steps.Answers) ([]byte, error) {
	return render("haproxy.cfg.tmpl", a)
}

// External renders what to configure on a balancer octoha does not write
// a configuration for (F5, NetScaler, cloud balancers...), as Markdown.
func External(a steps.Answers) ([]byte, error) {
	return render("external.md.tmpl", a)
}

func render(name string, a steps.Answers) ([]byte, error) {
	v, err := newView(a)
	if err != nil {
		return nil, err
	}
	if name != "external.md.tmpl" {
		if err := v.needsCertificate(); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := templates().ExecuteTemplate(&buf, name, v); err != nil {
		return nil, fmt.Errorf("rendering the %s: %w", strings.TrimSuffix(name, ".tmpl"), unwrapExec(err))
	}
	return buf.Bytes(), nil
}

// unwrapExec drops text/template's "template: x:12:3: executing ... at
// <ngx ...>: error calling ngx:" prefix, which means nothing to an admin,
// and keeps the quoting helper's sentence.
func unwrapExec(err error) error {
	msg := err.Error()
	if i := strings.LastIndex(msg, "error calling "); i >= 0 {
		if j := strings.Index(msg[i:], ": "); j >= 0 {
			return fmt.Errorf("%s", msg[i+j+2:])
		}
	}
	return err
}
