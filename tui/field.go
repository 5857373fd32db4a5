package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/octoha/octoha/steps"
)

// fieldKind is how a field is edited.
type fieldKind int

const (
	textKind   fieldKind = iota // free text, edited with a text input
	numberKind                  // a whole number; "" means 0 (derived or default)
	choiceKind                  // one of a few words, cycled with ←/→
)

// field is one answer on a screen. Its path is the answers path findings
// name (validate.Finding.Field), so the screen shows each finding under the
// field it is about. Get and set read and write the shared answers; the
// same fields drive the full-screen wizard and --plain.
type field struct {
	path  string
	label string
	kind  fieldKind
	// choices are the words a choiceKind field cycles through.
	choices []string
	get     func(a *steps.Answers) string
	// set stores text typed by the admin; an error means the text cannot
	// be an answer (a port that is not a number) and is shown as an error.
	set func(a *steps.Answers, v string) error
	// derived is what an empty field stands for, e.g. a node's comms port;
	// shown dimmed in place of the empty value. nil when empty means empty.
	derived func(a *steps.Answers) string
	// explain is one or two sentences shown while the field is focused,
	// where an admin would hesitate; nil for none.
	explain func(a *steps.Answers) string
	// column is the field's heading in a grid row (the Nodes screen).
	column string
	// width is the text input width in a grid row.
	width int
}

func textField(path, label string, ptr func(a *steps.Answers) *string) field {
	return field{
		path: path, label: label, kind: textKind,
		get: func(a *steps.Answers) string { return *ptr(a) },
		set: func(a *steps.Answers, v string) error { *ptr(a) = strings.TrimSpace(v); return nil },
	}
}

// numberField edits an int; an empty value stores 0.
func numberField(path, label string, ptr func(a *steps.Answers) *int) field {
	return field{
		path: path, label: label, kind: numberKind,
		get: func(a *steps.Answers) string {
			if n := *ptr(a); n != 0 {
				return strconv.Itoa(n)
			}
			return ""
		},
		set: func(a *steps.Answers, v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				*ptr(a) = 0
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*ptr(a) = n
			return nil
		},
	}
}

func choiceField(path, label string, choices []string, ptr func(a *steps.Answers) *string) field {
	f := textField(path, label, ptr)
	f.kind = choiceKind
	f.choices = choices
	return f
}

// yesNoField is a bool as the choice yes / no.
func yesNoField(path, label string, ptr func(a *steps.Answers) *bool) field {
	return field{
		path: path, label: label, kind: choiceKind, choices: []string{"yes", "no"},
		get: func(a *steps.Answers) string {
			if *ptr(a) {
				return "yes"
			}
			return "no"
		},
		set: func(a *steps.Answers, v string) error {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "yes", "y", "true":
				*ptr(a) = true
			case "no", "n", "false":
				*ptr(a) = false
			default:
				return fmt.Errorf("answer yes or no, not %q", v)
			}
			return nil
		},
	}
}

// listField edits a list of words as one comma-separated line.
func listField(path, label string, ptr func(a *steps.Answers) *[]string) field {
	return field{
		path: path, label: label, kind: textKind,
		get: func(a *steps.Answers) string { return strings.Join(*ptr(a), ", ") },
		set: func(a *steps.Answers, v string) error {
			var list []string
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			*ptr(a) = list
			return nil
		},
	}
}

func (f field) withExplain(fn func(a *steps.Answers) string) field {
	f.explain = fn
	return f
}

func (f field) withDerived(fn func(a *steps.Answers) string) field {
	f.derived = fn
	return f
}

// chooseNext moves a choice field by delta (±1), wrapping round.
func (f field) chooseNext(a *steps.Answers, delta int) {
	cur := f.get(a)
	i := 0
	for j, c := range f.choices {
		if c == cur {
			i = j
			break
		}
	}
	i = (i + delta + len(f.choices)) % len(f.choices)
	_ = f.set(a, f.choices[i])
}

// cloneAnswers copies answers deeply, so a live probe running in its own
// goroutine never sees the wizard's later edits.
func cloneAnswers(a steps.Answers) steps.Answers {
	b := a
	b.Nodes = append([]steps.Node(nil), a.Nodes...)
	b.LoadBalancer.TrustedProxies = append([]string(nil), a.LoadBalancer.TrustedProxies...)
	b.Tentacles.Environments = append([]string(nil), a.Tentacles.Environments...)
	b.Tentacles.Roles = append([]string(nil), a.Tentacles.Roles...)
	return b
}
