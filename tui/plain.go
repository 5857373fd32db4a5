package tui

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/tui/form"
	"github.com/octoha/octoha/validate"
)

// plain asks the wizard's questions line by line: no cursor movement, no
// colour, one question per line, so screen readers and serial consoles
// work. It uses the screens' own fields and the same validate.Check.
type plain struct {
	in  *bufio.Reader
	out io.Writer
	a   steps.Answers
	// piped is true when the input is not a terminal: each prompt then
	// ends its line, so a log of the run reads one question per line.
	piped bool
	live  LiveCheck
	// said are the live findings printed already: each is said once.
	said map[string]bool
	// saved is where the answers go after each step, and whether
	// saving there can destroy nothing octoha did not write.
	savePath string
	owned    bool
	// mu guards done, the answers as of the last answer, which an
	// interrupt saves.
	mu   sync.Mutex
	done steps.Answers
}

// plainWidth is the width hints and findings wrap at.
const plainWidth = 78

// errInputEnded is stdin closing before the last question.
var errInputEnded = errors.New("input ended")

const plainIntro = `octoha: set up Octopus Deploy Server in high availability.
Answer each question and press Enter. An empty answer keeps the value in
brackets; "-" clears it. Secrets are never asked for here: the scripts ask
for them when they run.
`

func runPlain(opts Options) int {
	p := &plain{in: bufio.NewReader(opts.In), out: opts.Out, a: steps.Defaults(),
		piped: !isTerminal(opts.In), live: opts.LiveCheck, said: map[string]bool{}}
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
	p.savePath, p.owned, p.done = savePath, owned, cloneAnswers(p.a)
	stop := p.saveOnInterrupt(opts.Err)
	err := p.askSteps()
	stop()
	if saveErr := p.saveStep(); saveErr != nil {
		fmt.Fprintf(opts.Err, "octoha: could not save %s: %v\n", p.savePath, saveErr)
		return exitInvalid
	}
	savePath = p.savePath
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
		answer, rerr := p.prompt(fmt.Sprintf("\n%s Overwrite it? (yes/no) [no]", whatItHolds(path, old)))
		if rerr != nil || (answer != "yes" && answer != "y") {
			path = freeName(path)
		}
	}
	return path, export.WriteFileAtomic(path, data, 0o600)
}

// saveStep saves the answers so far (after each step), asking first
// about a file octoha does not own; after that the file is octoha's.
func (p *plain) saveStep() error {
	path, err := p.save(p.savePath, p.owned)
	p.savePath = path
	if err == nil {
		p.owned = true
	}
	return err
}

// saveOnInterrupt saves the answers given so far when Ctrl+C interrupts
// a question, says where, and ends the process as an interrupted one
// (exit 130): the read it interrupts cannot be cancelled. The function
// it returns stops listening.
func (p *plain) saveOnInterrupt(errOut io.Writer) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	quit := make(chan struct{})
	go func() {
		select {
		case <-sig:
		case <-quit:
			return
		}
		p.mu.Lock()
		data, err := steps.Marshal(p.done)
		path := p.savePath
		if err == nil {
			if _, statErr := os.Stat(path); !p.owned && statErr == nil {
				path = freeName(path) // never over a file octoha did not write
			}
			err = export.WriteFileAtomic(path, data, 0o600)
		}
		if err != nil {
			fmt.Fprintf(errOut, "\noctoha: interrupted; could not save the answers to %s: %v\n", path, err)
		} else {
			fmt.Fprintf(errOut, "\noctoha: interrupted; answers so far saved to %s. Run octoha --plain --answers %s to continue.\n", path, path)
		}
		os.Exit(130)
	}()
	return func() {
		signal.Stop(sig)
		close(quit)
	}
}

// answered records the answers as they are, for an interrupt to save.
func (p *plain) answered() {
	p.mu.Lock()
	p.done = cloneAnswers(p.a)
	p.mu.Unlock()
}

// say writes text wrapped at word boundaries after indent, continuation
// lines indented two more.
func (p *plain) say(indent, text string) {
	for i, l := range form.Wrap(text, plainWidth-len(indent)-2) {
		if i > 0 {
			l = "  " + l
		}
		fmt.Fprintln(p.out, indent+l)
	}
}

func (p *plain) askSteps() error {
	for i, s := range formSteps {
		fmt.Fprintf(p.out, "\nStep %d of %d: %s\n", i+1, len(formSteps), s.title)
		p.say("", s.plainIntro())
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
				if s.grid && len(row) > 1 {
					// A node's host before its name: the name is proposed
					// from the host, as the wizard does on leaving it.
					row = append([]field{row[1], row[0]}, row[2:]...)
				}
				flat = append(flat, row...)
			}
			if n >= len(flat) {
				break
			}
			proposed := p.proposeRow(flat[n].Key())
			if err := p.ask(flat[n]); err != nil {
				return err
			}
			p.keepProposal(flat[n].Key(), proposed)
			if fields, note := proposeAfter(&p.a, flat[n].Key()); len(fields) > 0 {
				p.answered()
				if n+1 >= len(flat) || flat[n+1].Key() != fields[0] { // the next question shows it anyway
					p.say("  ", note+"; Enter keeps what is proposed when asked.")
				}
			}
		}
		for _, f := range validate.Check(p.a) {
			if f.Field == "nodes" && s.grid {
				p.finding(f)
			}
		}
		if err := p.saveStep(); err != nil {
			return fmt.Errorf("could not save %s: %w", p.savePath, err)
		}
	}
	return nil
}

// proposeRow, before the host question of an empty node after the
// first, proposes the node the rows above count on to (octo3 after
// octo2), as ctrl+n does in the wizard: its questions then offer the
// proposal as the answer Enter keeps. It returns the node proposed, or a
// zero node.
func (p *plain) proposeRow(field string) steps.Node {
	i, ok := hostRow(&p.a, field)
	if !ok || p.a.Nodes[i] != (steps.Node{}) {
		return steps.Node{}
	}
	next, ok := p.a.NodeAt(i)
	if !ok {
		return steps.Node{}
	}
	p.a.Nodes[i] = next
	p.answered()
	return next
}

// keepProposal, after a node's host question, drops the proposed name if
// the admin typed another host, so the name is proposed from that host
// instead (see proposeAfter).
func (p *plain) keepProposal(field string, proposed steps.Node) {
	i, ok := hostRow(&p.a, field)
	if !ok || proposed == (steps.Node{}) {
		return
	}
	if n := &p.a.Nodes[i]; n.Host != proposed.Host && n.Name == proposed.Name {
		n.Name = ""
	}
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
		p.answered()
		return nil
	}
}

// ask asks one field until its answer has no error; an empty answer to a
// repeated question keeps the value and moves on (the error stays, and
// export refuses until it is fixed).
func (p *plain) ask(f field) error {
	if text, ok := f.Explain(&p.a); ok {
		p.say("  ", text)
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
				p.say("  ", "error: "+err.Error())
				continue
			}
		}
		p.answered()
		hasErr := false
		for _, fd := range validate.Check(p.a).For(f.Key()) {
			p.finding(fd)
			hasErr = hasErr || fd.Severity == validate.Error
		}
		p.checkLive(f.Key())
		if !hasErr {
			return nil
		}
		fmt.Fprintln(p.out, "  Answer again, or press Enter to leave it for now.")
	}
}

func (p *plain) finding(f validate.Finding) { p.sayFinding("", f) }

// sayFinding says a finding after lead, and on the line below the page it
// cites, if any.
func (p *plain) sayFinding(lead string, f validate.Finding) {
	p.say("  ", lead+f.String())
	if f.Docs != "" {
		p.say("    ", "see "+f.Docs)
	}
}

// checkLive runs the wizard's live check of the field just answered (the
// same moment: a new cluster, nothing installed yet) and says each
// finding it has not said before. Live findings never hold the question:
// the admin may be on a jump box the real network is not visible from.
func (p *plain) checkLive(field string) {
	if p.live == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), plainLiveLimit)
	defer cancel()
	for _, fd := range p.live(ctx, cloneAnswers(p.a), field, false) {
		key := fd.String()
		if fd.Severity == validate.OK || p.said[key] {
			continue
		}
		p.said[key] = true
		p.sayFinding("live check: ", fd)
	}
}

// plainLiveLimit bounds one field's live check in --plain, which waits
// for it before the next question.
const plainLiveLimit = 10 * time.Second

// prompt writes the question and reads one line. With piped input the
// question ends its line.
func (p *plain) prompt(q string) (string, error) {
	if p.piped {
		fmt.Fprintln(p.out, q+":")
	} else {
		fmt.Fprint(p.out, q+": ")
	}
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
