package live

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octoha/octoha/validate"
)

// held is a probe that answers OK after d, or gives up when ctx ends.
func held(id string, d time.Duration) Probe {
	return Probe{ID: id, Field: "f." + id, What: "hold " + id, Run: func(ctx context.Context) validate.Findings {
		select {
		case <-time.After(d):
			return validate.Findings{{ID: id, Severity: validate.OK, Message: id + " done"}}
		case <-ctx.Done():
			return validate.Findings{{ID: id, Severity: validate.Error, Message: ctx.Err().Error()}}
		}
	}}
}

func TestRunIsConcurrent(t *testing.T) {
	var probes []Probe
	for i := range 20 {
		probes = append(probes, held(fmt.Sprintf("p%02d", i), time.Second))
	}
	start := time.Now()
	fs := Run(t.Context(), probes, 3*time.Second)
	took := time.Since(start)
	t.Logf("20 probes of 1 s each took %s", took)
	if took >= 1500*time.Millisecond {
		t.Errorf("20 probes of 1 s each took %s; they should run together", took)
	}
	if len(fs) != 20 {
		t.Fatalf("want 20 findings, got %d", len(fs))
	}
	for i, f := range fs {
		if want := fmt.Sprintf("p%02d", i); f.ID != want || f.Severity != validate.OK {
			t.Errorf("finding %d: %s, want %s ok", i, f, want)
		}
	}
}

func TestRunStableOrder(t *testing.T) {
	// Later probes finish first; the findings still come back in probe order.
	var probes []Probe
	for i := range 8 {
		id := fmt.Sprintf("p%d", i)
		probes = append(probes, Probe{ID: id, Run: func(ctx context.Context) validate.Findings {
			time.Sleep(time.Duration(8-i) * 5 * time.Millisecond)
			return validate.Findings{
				{ID: id, Message: "first"},
				{ID: id, Message: "second"},
			}
		}})
	}
	for range 3 {
		var got []string
		for _, f := range Run(t.Context(), probes, time.Second) {
			got = append(got, f.ID+"/"+f.Message)
		}
		want := []string{}
		for i := range 8 {
			want = append(want, fmt.Sprintf("p%d/first", i), fmt.Sprintf("p%d/second", i))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("order\n got %v\nwant %v", got, want)
		}
	}
}

func TestRunProbeIgnoringItsContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stuck := Probe{ID: "http.ping", Field: "nodes[0].host", What: "GET http://octo1/api/octopusservernodes/ping",
		Run: func(context.Context) validate.Findings {
			<-release // ignores its context entirely
			return validate.Findings{{ID: "http.ping", Message: "too late"}}
		}}
	start := time.Now()
	fs := Run(t.Context(), []Probe{stuck, held("quick", 0)}, 200*time.Millisecond)
	took := time.Since(start)
	if took < 200*time.Millisecond || took > 450*time.Millisecond {
		t.Errorf("took %s, want just over the 200ms timeout", took)
	}
	if len(fs) != 2 {
		t.Fatalf("want 2 findings, got %v", fs)
	}
	f := fs[0]
	if f.ID != "http.ping" || f.Field != "nodes[0].host" || f.Severity != validate.Error ||
		f.Message != "no answer within 200ms: GET http://octo1/api/octopusservernodes/ping." {
		t.Errorf("timeout finding: %+v", f)
	}
	if fs[1].ID != "quick" || fs[1].Severity != validate.OK {
		t.Errorf("the quick probe's finding: %v", fs[1])
	}
}

func TestRunDefaultTimeoutReadsFiveSeconds(t *testing.T) {
	// The default is what the message shows; a probe that honours its
	// context returns at once when its parent's deadline has passed.
	ctx, cancel := context.WithCancel(t.Context())
	stuck := Probe{ID: "x", Run: func(ctx context.Context) validate.Findings {
		<-ctx.Done()
		return nil
	}}
	cancel()
	fs := Run(ctx, []Probe{stuck}, 0)
	if len(fs) != 1 || fs[0].Severity != validate.Warning || !strings.Contains(fs[0].Message, "stopped before it answered") {
		t.Errorf("a cancelled run: %v", fs)
	}
	if got := cutShort(t.Context(), Probe{What: "look up x"}, DefaultTimeout)[0].Message; got != "no answer within 5s: look up x." {
		t.Errorf("default timeout message %q", got)
	}
}

func TestRunProbeHonouringItsContext(t *testing.T) {
	// A probe that stops at the deadline with a raw error still reads as a
	// timeout, not as "context deadline exceeded".
	fs := Run(t.Context(), []Probe{held("tcp.web", time.Hour)}, 50*time.Millisecond)
	if len(fs) != 1 || fs[0].Severity != validate.Error || !strings.HasPrefix(fs[0].Message, "no answer within 50ms: hold tcp.web") {
		t.Errorf("got %v", fs)
	}
}

func TestRunPanickingProbe(t *testing.T) {
	boom := Probe{ID: "boom", Field: "x", What: "explode", Run: func(context.Context) validate.Findings { panic("nil map") }}
	fs := Run(t.Context(), []Probe{boom}, time.Second)
	if len(fs) != 1 || fs[0].ID != "boom" || fs[0].Severity != validate.Error || !strings.Contains(fs[0].Message, "nil map") {
		t.Errorf("got %v", fs)
	}
}
