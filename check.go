package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/octoha/octoha/validate"
	"github.com/octoha/octoha/validate/live"
)

// runCheck is `octoha check`: every pure check and every live probe, as a
// preflight report.
func runCheck(args []string, stdout, stderr io.Writer) int {
	return runCheckOn(network{}, args, stdout, stderr)
}

// runCheckOn is runCheck with the probes reaching the network through via.
func runCheckOn(via network, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("octoha check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	answers := fs.String("answers", "", "answers file (required)")
	timeout := fs.Duration("timeout", live.DefaultTimeout, "how long each live check may take")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	ignore := fs.String("ignore", "", "comma-separated check IDs whose errors are reported as warnings")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: octoha check --answers FILE [--timeout D] [--json] [--ignore ID,...]

Checks the answers, then probes the database, nodes, shares, balancer and Redis from
this machine. Passwords come from OCTOHA_SQL_PASSWORD and OCTOHA_REDIS_PASSWORD.
Exits 0 when nothing is an error, 1 otherwise.

`)
		fs.PrintDefaults()
	}
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *answers == "" || fs.NArg() > 0 || *timeout <= 0 {
		fs.Usage()
		return exitUsage
	}
	file, ok := loadAnswers(*answers, stderr)
	if !ok {
		return exitInvalid
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := liveOptions(*timeout, secretsFromEnv(), via)
	findings := append(validate.Check(file.Answers), live.RunAll(ctx, file.Answers, opts)...)
	findings = findings.Ignore(splitList(*ignore))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Findings validate.Findings `json:"findings"`
		}{findings}); err != nil {
			fmt.Fprintln(stderr, "octoha:", err)
			return exitInvalid
		}
	} else {
		validate.WriteReport(stdout, findings)
	}
	if findings.HasErrors() {
		return exitInvalid
	}
	return exitOK
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
