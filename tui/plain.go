package tui

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// plain asks the wizard's questions line by line: no cursor movement, no
// colour, one question per line, so screen readers and serial consoles
// work. It uses the screens' own fields and the same validate.Check.
type plain struct {
	in  *bufio.Reader
	out io.Writer
	a   steps.Answers
}

// errInputEnded is stdin closing before the last question.
var errInputEnded = errors.New("input ended")

const plainIntro = `octoha: set up Octopus Deploy Server in high availability.
Answer each question and press Enter. An empty answer keeps the value in
brackets; "-" clears it. Secrets are never asked for here: the scripts ask
for them when they run.
`

func runPlain(opts Options) int {
	p := &plain{in: bufio.NewReader(opts.In), out: opts.Out, a: steps.Defaults()}
	// The same rule as the wizard's (owner.go): save over the file only
	// when octoha wrote it.
	savePath, owned, note := opts.AnswersPath, false, ""
	if opts.OpenExisting {
		a, byOctoha, err := loadAnswers(opts.AnswersPath)
		switch {
		case err == nil:
			p.a, owned = a, byOctoha
			if !byOctoha {
				savePath, note = DefaultAnswersPath, handWrittenNote(opts.AnswersPath)
			}
		case !errors.Is(err, fs.ErrNotExist):
			fmt.Fprintln(opts.Err, "octoha:", err)
			return exitInvalid
		}
	}
	fmt.Fprint(p.out, plainIntro)
	if note != "" {
		fmt.Fprintln(p.out, note+".")
	}
	err := p.askSteps()
	savePath, saveErr := p.save(savePath, owned)
	if saveErr != nil {
		fmt.Fprintf(opts.Err, "octoha: could not save %s: %v\n", savePath, saveErr)
		return exitInvalid
	}
	fmt.Fprintf(p.out, "\nAnswers saved to %s.\n", savePath)
	if err != nil {
		fmt.Fprintf(opts.Err, "octoha: %v before the last question; run octoha --plain --answers %s to continue\n", err, savePath)
		return exitInvalid
	}
	opts.AnswersPath = savePath
	return p.export(opts)
}

// save writes the answers to path, unless path is a file octoha does not
// own holding other answers: then it asks, and without a yes saves beside
// it under a new name. It returns where the answers went.
func (p *plain) save(path string, owned bool) (string, error) {
	data, err := steps.Marshal(p.a)
	if err != nil {
		return path, err
	}
	if old, err := os.ReadFile(path); !owned && err == nil && !bytes.Equal(old, data) {
		answer, rerr := p.prompt(fmt.Sprintf("\n%s already exists and holds other answers. Overwrite it? (yes/no) [no]", path))
		if rerr != nil || (answer != "yes" && answer != "y") {
			path = freeName(path)
		}
	}
	return path, export.WriteFileAtomic(path, data, 0o600)
}

func (p *plain) askSteps() error {
	for i, s := range formSteps {
		fmt.Fprintf(p.out, "\nStep %d of %d: %s\n%s\n", i+1, len(formSteps), s.title, s.intro)
		if s.grid {
			if err := p.askNodeCount(); err != nil {
				return err
			}
		}
		// Fields are rebuilt after every answer: an answer can add fields
		// after it (auth sql adds the login).
		for n := 0; ; n++ {
			var flat []field
			for _, row := range s.fields(&p.a) {
				flat = append(flat, row...)
			}
			if n >= len(flat) {
				break
			}
			if err := p.ask(flat[n]); err != nil {
				return err
			}
		}
		for _, f := range validate.Check(p.a) {
			if f.Field == "nodes" && s.grid {
				p.finding(f)
			}
		}
	}
	return nil
}

func (p *plain) askNodeCount() error {
	for {
		count := max(len(p.a.Nodes), 2)
		line, err := p.prompt(fmt.Sprintf("How many nodes? [%d]", count))
		if err != nil {
			return err
		}
		if line != "" {
			n, err := strconv.Atoi(line)
			if err != nil || n < 1 || n > 64 {
				fmt.Fprintln(p.out, "  error: give a number of nodes from 1 to 64")
				continue
			}
			count = n
		}
		for len(p.a.Nodes) < count {
			addNode(&p.a)
		}
		p.a.Nodes = p.a.Nodes[:count]
		return nil
	}
}

// ask asks one field until its answer has no error; an empty answer to a
// repeated question keeps the value and moves on (the error stays, and
// export refuses until it is fixed).
func (p *plain) ask(f field) error {
	if text, ok := f.Explain(&p.a); ok {
		fmt.Fprintln(p.out, "  "+text)
	}
	for again := false; ; again = true {
		line, err := p.prompt(f.Question(&p.a))
		if err != nil {
			return err
		}
		switch line {
		case "":
			if again {
				return nil
			}
		case "-":
			line = ""
			fallthrough
		default:
			if err := f.Answer(&p.a, line); err != nil {
				fmt.Fprintln(p.out, "  error:", err)
				continue
			}
		}
		hasErr := false
		for _, fd := range validate.Check(p.a).For(f.Key()) {
			p.finding(fd)
			hasErr = hasErr || fd.Severity == validate.Error
		}
		if !hasErr {
			return nil
		}
		fmt.Fprintln(p.out, "  Answer again, or press Enter to leave it for now.")
	}
}

func (p *plain) finding(f validate.Finding) {
	fmt.Fprintln(p.out, "  "+f.String())
}

// prompt writes the question and reads one line.
func (p *plain) prompt(q string) (string, error) {
	fmt.Fprint(p.out, q+": ")
	line, err := p.in.ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(p.out)
		return "", errInputEnded
	}
	return strings.TrimSpace(line), nil
}

// export writes the files through export.Write, as `octoha export` does.
func (p *plain) export(opts Options) int {
	findings := validate.Check(p.a)
	if findings.HasErrors() {
		fmt.Fprintln(p.out, "\nThese answers still have errors; nothing was exported:")
		for _, f := range findings {
			p.finding(f)
		}
		fmt.Fprintf(p.out, "Fix them (octoha --plain --answers %s) and export again.\n", opts.AnswersPath)
		return exitInvalid
	}
	dir, err := p.prompt("\nOutput folder [" + DefaultOutDir + "]")
	if err != nil {
		return exitInvalid
	}
	if dir == "" {
		dir = DefaultOutDir
	}
	res, err := export.Write(p.a, dir, export.Options{Source: opts.AnswersPath})
	if errors.Is(err, export.ErrExists) {
		fmt.Fprintln(p.out, "  "+err.Error())
		answer, rerr := p.prompt("Overwrite them? (yes/no) [no]")
		if rerr == nil && (answer == "yes" || answer == "y") {
			res, err = export.Write(p.a, dir, export.Options{Force: true, Source: opts.AnswersPath})
		}
	}
	for _, f := range res.Findings {
		p.finding(f)
	}
	if err != nil {
		// A write that began says itself what became of the folder.
		var werr *export.WriteError
		if errors.As(err, &werr) {
			fmt.Fprintln(opts.Err, "octoha:", err)
		} else {
			fmt.Fprintln(opts.Err, "octoha: nothing was written:", err)
		}
		return exitInvalid
	}
	for _, path := range res.Written {
		fmt.Fprintln(p.out, "wrote", path)
	}
	return exitOK
}
