package lb

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/octoha/octoha/internal/lbtest"
	"github.com/octoha/octoha/steps"
)

// hostile values: quotes of every kind, would-be directive breakouts,
// comment starts, escapes, variables and non-ASCII.
var hostile = []string{
	`plain`,
	`it's`,
	`say "hi"`,
	`"; return 500 "broken`,
	`'; } location / { return 500; } #`,
	`' if TRUE #`,
	`back\slash\`,
	`\"`,
	`\'`,
	`a;b{c}d`,
	`#not a comment`,
	`  spaces  around  `,
	`%[src] %{+Q}r`,
	`ünïcödé ‘’“”`,
	`C:\Program Files\x41\n`,
}

func TestNginxQuote(t *testing.T) {
	for _, s := range hostile {
		q, err := nginxQuote(s)
		if err != nil {
			t.Errorf("nginxQuote(%q): %v", s, err)
			continue
		}
		if got := nginxUnquote(t, q); got != s {
			t.Errorf("nginxQuote(%q) = %s, which NGINX reads as %q", s, q, got)
		}
	}
	for _, s := range []string{"$host", "a${x}b", "line\nbreak", "nul\x00", "tab\there", "cr\r"} {
		if q, err := nginxQuote(s); err == nil {
			t.Errorf("nginxQuote(%q) = %s, want an error", s, q)
		}
	}
}

// nginxUnquote reads one double-quoted token as ngx_conf_read_token does:
// the token ends at the first unescaped ", and \" \\ stand for " \.
func nginxUnquote(t *testing.T, q string) string {
	if len(q) < 2 || q[0] != '"' {
		t.Fatalf("%s is not double-quoted", q)
	}
	var b strings.Builder
	for i := 1; i < len(q); i++ {
		switch {
		case q[i] == '\\' && i+1 < len(q) && (q[i+1] == '"' || q[i+1] == '\\' || q[i+1] == '\''):
			b.WriteByte(q[i+1])
			i++
		case q[i] == '"':
			if i != len(q)-1 {
				t.Fatalf("%s ends its token early, at byte %d", q, i)
			}
			return b.String()
		default:
			b.WriteByte(q[i])
		}
	}
	t.Fatalf("%s is not closed", q)
	return ""
}

func TestHAProxyQuote(t *testing.T) {
	for s, want := range map[string]string{
		`plain`:        `'plain'`,
		`it's`:         `'it'\''s'`,
		`$HOME "x" \n`: `'$HOME "x" \n'`,
	} {
		if got, err := haproxyQuote(s); err != nil || got != want {
			t.Errorf("haproxyQuote(%q) = %s, %v; want %s", s, got, err, want)
		}
	}
	for _, s := range []string{"line\nbreak", "nul\x00", "cr\r"} {
		if q, err := haproxyQuote(s); err == nil {
			t.Errorf("haproxyQuote(%q) = %s, want an error", s, q)
		}
	}
}

func TestNamesAndHostsRefuseBreakouts(t *testing.T) {
	for _, s := range []string{"", "OCTO 1", "OCTO1\nbind :1", "OCTO1;", "OCTO'1", "ÖCTO"} {
		if _, err := haproxyName(s); err == nil {
			t.Errorf("haproxyName(%q) accepted", s)
		}
		if _, err := hostToken(s); err == nil {
			t.Errorf("hostToken(%q) accepted", s)
		}
	}
	for _, s := range []string{"OCTO-1", "octo_1.corp"} {
		if _, err := haproxyName(s); err != nil {
			t.Errorf("haproxyName(%q): %v", s, err)
		}
	}
	for _, s := range []string{"octo1.corp.local", "10.0.0.1", "[fe80::1]"} {
		if _, err := hostToken(s); err != nil {
			t.Errorf("hostToken(%q): %v", s, err)
		}
	}
}

func TestComment(t *testing.T) {
	if got := comment("OCTO1\nserver evil:80;\r# x"); strings.ContainsAny(got, "\r\n") {
		t.Errorf("comment kept a line break: %q", got)
	}
}

// TestQuotingRoundTripsThroughTheRealTools puts every hostile value into a
// real NGINX and HAProxy config as a response body and checks the bytes
// that come back: the tools read each value as exactly what was quoted.
func TestQuotingRoundTripsThroughTheRealTools(t *testing.T) {
	t.Parallel()
	var ngx, hap strings.Builder
	ngx.WriteString("events {}\nhttp {\n  server {\n    listen 8080;\n")
	hap.WriteString("defaults\n  mode http\n  timeout connect 5s\n  timeout client 5s\n  timeout server 5s\nfrontend f\n  bind :8080\n")
	for i, s := range hostile {
		nq, err := nginxQuote(s)
		if err != nil {
			t.Fatal(err)
		}
		hq, err := haproxyQuote(s)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&ngx, "    location = /%d { default_type text/plain; return 200 %s; }\n", i, nq)
		fmt.Fprintf(&hap, "  http-request return status 200 content-type text/plain string %s if { path /%d }\n", hq, i)
	}
	ngx.WriteString("  }\n}\n")
	hap.WriteString("  http-request return status 404\n")
	for kind, config := range map[string]string{steps.LBNginx: ngx.String(), steps.LBHAProxy: hap.String()} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			lbtest.RequireBalancer(t, kind, false)
			b := lbtest.Start(t, kind, []byte(config), nil)
			for i, want := range hostile {
				resp, err := http.Get(fmt.Sprintf("http://%s/%d", b.Addr(8080), i))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != want {
					t.Errorf("%s returned %q for %q", kind, body, want)
				}
			}
		})
	}
}

func TestApacheQuote(t *testing.T) {
	for _, s := range append(hostile, `$HOME`, `a$b`, `trailing\`) {
		q, err := apacheQuote(s)
		if err != nil {
			t.Errorf("apacheQuote(%q): %v", s, err)
			continue
		}
		if got := apacheUnquote(t, q); got != s {
			t.Errorf("apacheQuote(%q) = %s, which httpd reads as %q", s, q, got)
		}
	}
	for _, s := range []string{"${APACHE_LOG_DIR}/x", "a${b", "line\nbreak", "nul\x00", "tab\there", "cr\r"} {
		if q, err := apacheQuote(s); err == nil {
			t.Errorf("apacheQuote(%q) = %s, want an error", s, q)
		}
	}
}

// FuzzApacheQuote: whatever the value, httpd reads back exactly that one
// argument, or the value is refused.
func FuzzApacheQuote(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := apacheQuote(s)
		if err != nil {
			return
		}
		if strings.Contains(q, "${") || strings.ContainsAny(q, "\r\n") || strings.HasSuffix(q, `\`) {
			t.Fatalf("apacheQuote(%q) = %s, which httpd would expand or continue", s, q)
		}
		if got := apacheUnquote(t, q); got != s {
			t.Fatalf("apacheQuote(%q) = %s, which httpd reads as %q", s, q, got)
		}
	})
}

// apacheUnquote reads one argument as httpd's ap_getword_conf does
// (server/util.c): a token that opens with " ends at the next " not
// escaped by a backslash, and inside it \" and \\ stand for " and \.
func apacheUnquote(t *testing.T, q string) string {
	if len(q) < 2 || q[0] != '"' {
		t.Fatalf("%s is not double-quoted", q)
	}
	var b strings.Builder
	for i := 1; i < len(q); i++ {
		switch {
		case q[i] == '\\' && i+1 < len(q) && (q[i+1] == '"' || q[i+1] == '\\'):
			b.WriteByte(q[i+1])
			i++
		case q[i] == '"':
			if i != len(q)-1 {
				t.Fatalf("%s ends its argument early, at byte %d", q, i)
			}
			return b.String()
		default:
			b.WriteByte(q[i])
		}
	}
	t.Fatalf("%s is not closed", q)
	return ""
}

func TestApacheRouteAndComment(t *testing.T) {
	for _, s := range []string{"", "OCTO 1", "OCTO1\nBalancerMember x", "OCTO1;", `OCTO"1`, "OCTO:1", "ÖCTO", "a=b"} {
		if _, err := apacheRoute(s); err == nil {
			t.Errorf("apacheRoute(%q) accepted", s)
		}
	}
	for _, s := range []string{"OCTO-1", "octo_1.corp"} {
		if _, err := apacheRoute(s); err != nil {
			t.Errorf("apacheRoute(%q): %v", s, err)
		}
	}
	for _, s := range []string{`C:\Octopus\`, "x\\\n", `\\`} {
		if got := apacheComment(s); strings.HasSuffix(got, `\`) || strings.ContainsAny(got, "\r\n") {
			t.Errorf("apacheComment(%q) = %q: it would join the next line", s, got)
		}
	}
}

// TestApacheQuotingRoundTripsThroughHttpd sets every hostile value as an
// environment variable with SetEnv in a real httpd and reads it back in a
// response header: httpd reads each value as exactly what was quoted.
func TestApacheQuotingRoundTripsThroughHttpd(t *testing.T) {
	t.Parallel()
	lbtest.RequireBalancer(t, steps.LBApache, false)
	var site strings.Builder
	site.WriteString("#   a2enmod headers env\n<VirtualHost *:80>\n")
	for i, s := range hostile {
		q, err := apacheQuote(s)
		if err != nil {
			t.Fatal(err)
		}
		// mod_headers copies %{NAME}e as it is; SetEnv takes the value literally.
		fmt.Fprintf(&site, "    <Location \"/%d\">\n        SetEnv OCTOHA_VALUE %s\n        Header always set X-Value \"%%{OCTOHA_VALUE}e\"\n    </Location>\n", i, q)
	}
	site.WriteString("</VirtualHost>\n")
	b := lbtest.Start(t, steps.LBApache, []byte(site.String()), nil)
	for i, want := range hostile {
		resp, err := http.Get(fmt.Sprintf("http://%s/%d", b.Addr(80), i))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Value"); got != strings.TrimSpace(want) {
			t.Errorf("httpd returned %q for %q", got, want)
		}
	}
}

// TestApacheCommentEndsItsLine: in a real httpd a comment ending in \
// swallows the next line (here a directive httpd does not know), and the
// space apacheComment adds stops that.
func TestApacheCommentEndsItsLine(t *testing.T) {
	t.Parallel()
	lbtest.RequireBalancer(t, steps.LBApache, false)
	site := func(c string) []byte {
		return []byte("#   a2enmod headers\n# " + c + "\nNoSuchDirective on\n")
	}
	if out, err := lbtest.Check(t, steps.LBApache, site(`C:\Octopus\`), nil); err != nil {
		t.Fatalf("httpd read the line after a comment ending in \\ (so the premise is wrong): %v\n%s", err, out)
	}
	if out, err := lbtest.Check(t, steps.LBApache, site(apacheComment(`C:\Octopus\`)), nil); err == nil {
		t.Errorf("the line after apacheComment's comment was swallowed:\n%s", out)
	}
}
