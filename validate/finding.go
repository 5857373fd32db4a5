// Package validate holds every check octoha makes of the answers: pure
// checks of syntax, ranges and consistency, and live probes of the database,
// the network and the shares. Each returns findings an admin can act on.
package validate

import (
	"fmt"
	"strings"
)

// Severity orders findings from fine to blocking.
type Severity int

const (
	OK Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case OK:
		return "ok"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText makes severities read as words in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the words MarshalText writes, so pipelines can
// round-trip `octoha check --json`.
func (s *Severity) UnmarshalText(b []byte) error {
	for _, v := range []Severity{OK, Warning, Error} {
		if string(b) == v.String() {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", b)
}

// Finding is the result of one check.
type Finding struct {
	// ID is stable across releases (e.g. "db.collation", "nodes.name"), so
	// `octoha check --ignore` and pipelines can name it.
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Field is the answers path the finding is about, such as
	// "nodes[1].name"; "" for findings about the cluster as a whole.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// Fix says what to do next; "" when the message already does.
	Fix string `json:"fix,omitempty"`
	// Docs is the public page the finding's fact comes from (one of
	// internal/docs), for the admin who wants the why; "" when there is
	// none worth opening. It is shown once, under the finding, never
	// inside the message.
	Docs string `json:"docs,omitempty"`
}

// WithDocs is the finding citing the public page url.
func (f Finding) WithDocs(url string) Finding {
	f.Docs = url
	return f
}

func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Severity.String())
	if f.Field != "" {
		b.WriteString(": ")
		b.WriteString(f.Field)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Fix != "" {
		if !strings.HasSuffix(f.Message, ".") {
			b.WriteString(".")
		}
		b.WriteString(" ")
		b.WriteString(f.Fix)
	}
	return b.String()
}

// Findings is a list of findings with the questions callers ask of it.
type Findings []Finding

// HasErrors reports whether any finding blocks the export.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// For returns the findings about one field.
func (fs Findings) For(field string) Findings {
	var out Findings
	for _, f := range fs {
		if f.Field == field {
			out = append(out, f)
		}
	}
	return out
}

// Worst is the highest severity in the list, OK when it is empty.
func (fs Findings) Worst() Severity {
	worst := OK
	for _, f := range fs {
		worst = max(worst, f.Severity)
	}
	return worst
}

func errorf(id, field, fix, format string, args ...any) Finding {
	return Finding{ID: id, Severity: Error, Field: field, Message: fmt.Sprintf(format, args...), Fix: fix}
}

func warnf(id, field, fix, format string, args ...any) Finding {
	return Finding{ID: id, Severity: Warning, Field: field, Message: fmt.Sprintf(format, args...), Fix: fix}
}
