package lb

import (
	"fmt"
	"strings"
	"unicode"
)

// Every value that reaches a balancer configuration goes through one of
// these. Host names and ports come from validated answers, but paths and
// the health-check path are free text, and node names end up in comments
// and identifiers; a newline or a quote in any of them must not be able to
// add a directive of its own.

// nginxQuote returns s as one NGINX double-quoted token. Inside double
// quotes NGINX unescapes \" and \\ (ngx_conf_file.c), so only those two need
// a backslash. A `$` starts a variable in every directive that takes
// variables (ssl_certificate does since 1.15.9) and NGINX has no escape for
// it, so a value holding one is refused rather than silently changed.
func nginxQuote(s string) (string, error) {
	if err := plainText(s); err != nil {
		return "", err
	}
	if strings.ContainsRune(s, '$') {
		return "", fmt.Errorf("%q holds a $, which NGINX reads as a variable and cannot escape; rename the file or path", s)
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String(), nil
}

// haproxyQuote returns s as one HAProxy argument in single quotes, where
// nothing is special (no environment expansion, no escapes, HAProxy
// configuration manual §2.2). A single quote itself closes the quotes,
// is written backslash-escaped, and reopens them: it's → 'it'\”s'.
func haproxyQuote(s string) (string, error) {
	if err := plainText(s); err != nil {
		return "", err
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", nil
}

// haproxyName checks that a node name can be an HAProxy server name and
// cookie value as it is: letters, digits, '-', '_', '.' and ':' (HAProxy
// manual §2.2, names). It refuses rather than rewrites, so two nodes can
// never be mangled into one name.
func haproxyName(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("a node has no name")
	}
	for _, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.:", r))
		if !ok {
			return "", fmt.Errorf("node name %q cannot be an HAProxy server name: use letters, digits, '-', '_' or '.'", s)
		}
	}
	return s, nil
}

// hostToken checks a host name or IP address before it goes bare into a
// server or proxy_pass line, where neither format allows quotes around
// host:port. Validation already checked it; this is the renderer's own
// guard against a value that would break out of the line.
func hostToken(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("a node has no host name")
	}
	for _, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-.:[]_", r))
		if !ok {
			return "", fmt.Errorf("%q is not a host name or IP address", s)
		}
	}
	return s, nil
}

// plainText refuses control characters: a newline would end the directive
// in both formats and neither can escape it inside a path.
func plainText(s string) error {
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q holds a control character (newline, tab...), which a configuration line cannot carry", s)
		}
	}
	return nil
}

// comment makes s safe inside a one-line '#' comment of either format:
// control characters (a newline would start a live line) become spaces.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// apacheQuote returns s as one double-quoted Apache httpd argument. Inside
// quotes httpd's parser (ap_getword_conf in server/util.c) reads \" and \\
// as " and \, so only those two need a backslash. httpd replaces ${NAME}
// with a variable's value (Define, or the environment: Debian's envvars)
// in every line before parsing it and has no escape for that, so a value
// holding "${" is refused rather than silently changed. A quoted argument
// always ends in ", so it can never end its line with the \ that joins the
// next line to it.
func apacheQuote(s string) (string, error) {
	if err := plainText(s); err != nil {
		return "", err
	}
	if strings.Contains(s, "${") {
		return "", fmt.Errorf("%q holds ${, which Apache httpd reads as a variable and cannot escape; rename the file or path", s)
	}
	// Byte by byte: httpd does not decode UTF-8, and a byte that is not
	// valid UTF-8 must pass unchanged.
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String(), nil
}

// apacheRoute checks that a node name can be a balancer member's route
// and so the ROUTEID cookie's value as it is: letters, digits, '-', '_'
// and '.' (cookie-safe, and no separator of the route=NAME argument). It
// refuses rather than rewrites, so two nodes never share a route.
func apacheRoute(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("a node has no name")
	}
	for _, r := range s {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r))
		if !ok {
			return "", fmt.Errorf("node name %q cannot be an Apache balancer route: use letters, digits, '-', '_' or '.'", s)
		}
	}
	return s, nil
}

// apacheComment makes s safe in a one-line '#' comment of an Apache httpd
// file: as comment does, and a trailing \ (which would join the next line,
// a directive, to the comment) is followed by a space, which ends the
// continuation (httpd continues a line only on a \ right before its end).
func apacheComment(s string) string {
	s = comment(s)
	if strings.HasSuffix(s, `\`) {
		s += " "
	}
	return s
}
