package validate

import (
	"fmt"
	"io"
	"strings"
)

// Step groups a finding under the wizard step its field belongs to.
func Step(field string) string {
	head, _, _ := strings.Cut(field, ".")
	head, _, _ = strings.Cut(head, "[")
	switch head {
	case "octopus":
		return "Octopus"
	case "database":
		return "Database"
	case "storage":
		return "Shared storage"
	case "nodes":
		return "Nodes"
	case "loadBalancer":
		return "Load balancer"
	case "tentacles":
		return "Tentacles"
	}
	return "Cluster"
}

var stepOrder = []string{"Octopus", "Database", "Shared storage", "Nodes", "Load balancer", "Tentacles", "Cluster"}

// Ignore turns the errors whose IDs are listed into warnings marked as
// ignored, so they are still reported but no longer block.
func (fs Findings) Ignore(ids []string) Findings {
	if len(ids) == 0 {
		return fs
	}
	out := make(Findings, len(fs))
	for i, f := range fs {
		for _, id := range ids {
			if f.Severity == Error && f.ID == id {
				f.Severity = Warning
				f.Message = "(ignored) " + f.Message
			}
		}
		out[i] = f
	}
	return out
}

// WriteReport prints a preflight report: per step one line per check, then
// the details of everything that is not ok (with the page to read, when a
// finding cites one), then a one-line summary.
func WriteReport(w io.Writer, fs Findings) {
	byStep := map[string]Findings{}
	for _, f := range fs {
		byStep[Step(f.Field)] = append(byStep[Step(f.Field)], f)
	}
	var problems Findings
	for _, step := range stepOrder {
		if len(byStep[step]) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s\n", step)
		for _, f := range byStep[step] {
			fmt.Fprintf(w, "  [%-7s] %-22s %s\n", f.Severity, f.ID, firstLine(f.Message))
			if f.Severity != OK {
				problems = append(problems, f)
			}
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "\nDetails\n")
		for _, f := range problems {
			fmt.Fprintf(w, "  [%s] %s", f.Severity, f.ID)
			if f.Field != "" {
				fmt.Fprintf(w, " (%s)", f.Field)
			}
			fmt.Fprintf(w, "\n    %s\n", f.Message)
			if f.Fix != "" {
				fmt.Fprintf(w, "    Fix: %s\n", f.Fix)
			}
			if f.Docs != "" {
				fmt.Fprintf(w, "    See: %s\n", f.Docs)
			}
		}
	}
	errs, warns := fs.count()
	fmt.Fprintf(w, "\n%d checks: %d ok, %d warnings, %d errors\n", len(fs), len(fs)-errs-warns, warns, errs)
}

func (fs Findings) count() (errs, warns int) {
	for _, f := range fs {
		switch f.Severity {
		case Error:
			errs++
		case Warning:
			warns++
		}
	}
	return errs, warns
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
