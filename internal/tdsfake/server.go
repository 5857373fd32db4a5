package tdsfake

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// FakeServer is a running fake. Start it with Start; it stops when the
// test ends.
type FakeServer struct {
	cfg     Config
	ln      net.Listener
	browser net.PacketConn
	tlsCfg  *tls.Config

	// closing is closed when the test ends; Hang and Hold wait on it.
	closing chan struct{}
	wg      sync.WaitGroup

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	queries []string
}

// Start runs a fake on 127.0.0.1 with a free port and stops it in
// t.Cleanup.
func Start(t testing.TB, cfg Config) *FakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("tdsfake: listen: %v", err)
	}
	s := &FakeServer{cfg: cfg, ln: ln, closing: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	if cfg.Encryption != EncryptionNotSupported {
		if err := s.makeCertificate(); err != nil {
			ln.Close()
			t.Fatalf("tdsfake: certificate: %v", err)
		}
	}
	if cfg.Instances != nil {
		if s.browser, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			ln.Close()
			t.Fatalf("tdsfake: browser: %v", err)
		}
		s.wg.Add(1)
		go s.serveBrowser()
	}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.close)
	return s
}

// Host is the address to connect to: always 127.0.0.1.
func (s *FakeServer) Host() string { return "127.0.0.1" }

// Port is the TCP port the fake listens on.
func (s *FakeServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// BrowserAddr is the UDP address of the fake SQL Browser, "" without one.
func (s *FakeServer) BrowserAddr() string {
	if s.browser == nil {
		return ""
	}
	return s.browser.LocalAddr().String()
}

// Queries returns every SQL batch the fake received, in order.
func (s *FakeServer) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// Dialer returns a dialer that sends the SQL Browser's UDP request (to
// port 1434 on any host) to the fake's browser and every TCP connection to
// the fake, so tests can use real-looking server names.
func (s *FakeServer) Dialer() *RedirectDialer {
	return &RedirectDialer{TCP: s.ln.Addr().String(), UDP: s.BrowserAddr()}
}

// RedirectDialer dials fixed addresses whatever it is asked for. It
// satisfies go-mssqldb's Dialer interface.
type RedirectDialer struct {
	TCP, UDP string
}

// DialContext dials the fixed address for the network.
func (d *RedirectDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var nd net.Dialer
	switch {
	case strings.HasPrefix(network, "udp"):
		if d.UDP == "" {
			return nil, fmt.Errorf("tdsfake: no SQL Browser configured (asked for %s)", addr)
		}
		return nd.DialContext(ctx, network, d.UDP)
	default:
		return nd.DialContext(ctx, network, d.TCP)
	}
}

func (s *FakeServer) close() {
	close(s.closing)
	s.ln.Close()
	if s.browser != nil {
		s.browser.Close()
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *FakeServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			if s.cfg.Hang {
				// Drain whatever the client sends and never answer.
				_, _ = io.Copy(io.Discard, c)
				return
			}
			_ = s.session(c)
		}()
	}
}

// wait sleeps for d unless the fake is closing; false means closing.
func (s *FakeServer) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return false
	}
}

// conn is one client connection: where to read and write TDS, and the
// database the login chose.
type conn struct {
	rw       io.ReadWriter
	database string
}

func (s *FakeServer) session(raw net.Conn) error {
	c := &conn{rw: raw}
	typ, msg, err := readMessage(raw)
	if err != nil {
		return err
	}
	if typ != packetPrelogin {
		return fmt.Errorf("tdsfake: first packet type %#x, want PRELOGIN", typ)
	}
	opts, err := parsePrelogin(msg)
	if err != nil {
		return err
	}
	clientEnc := byte(encryptOff)
	if v := opts[preloginEncryption]; len(v) == 1 {
		clientEnc = v[0]
	}
	enc := s.negotiate(clientEnc)
	if err := writeMessage(raw, packetReply, buildPrelogin(enc)); err != nil {
		return err
	}
	if enc == encryptNotSup && clientEnc == encryptOn {
		return nil // the client gives up: "server does not support encryption"
	}

	var tlsConn *tls.Conn
	if enc != encryptNotSup {
		wrapped := &tdsWrapped{Conn: raw, wrapped: true}
		tlsConn = tls.Server(wrapped, s.tlsCfg)
		if err := tlsConn.Handshake(); err != nil {
			return err
		}
		wrapped.wrapped = false // records now go straight over TCP
		c.rw = tlsConn
	}

	typ, msg, err = readMessage(c.rw)
	if err != nil {
		return err
	}
	if enc == encryptOff {
		c.rw = raw // only the login packet was encrypted
	}
	if typ != packetLogin7 {
		return fmt.Errorf("tdsfake: got packet type %#x, want LOGIN7", typ)
	}
	login, err := parseLogin7(msg)
	if err != nil {
		return err
	}
	if s.cfg.Hold > 0 && !s.wait(s.cfg.Hold) {
		return nil
	}
	if ok, err := s.login(c, login); !ok || err != nil {
		return err
	}
	for {
		typ, msg, err := readMessage(c.rw)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := s.answer(c, typ, msg); err != nil {
			return err
		}
	}
}

// negotiate picks the PRELOGIN ENCRYPTION answer (MS-TDS 2.2.6.5).
func (s *FakeServer) negotiate(client byte) byte {
	switch s.cfg.Encryption {
	case EncryptionNotSupported:
		return encryptNotSup
	case EncryptionRequired:
		return encryptReq
	}
	switch client {
	case encryptOn, encryptReq:
		return encryptOn
	case encryptNotSup:
		return encryptNotSup
	}
	return encryptOff
}

func (s *FakeServer) login(c *conn, l login7) (bool, error) {
	fail := func(extra ...[]byte) (bool, error) {
		var b []byte
		for _, e := range extra {
			b = append(b, e...)
		}
		b = appendError(b, 18456, 1, 14, fmt.Sprintf("Login failed for user '%s'.", l.User), s.cfg.Server.ServerName)
		b = appendDone(b, doneError, 0)
		return false, writeMessage(c.rw, packetReply, b)
	}
	if s.cfg.RefuseLogins || (s.cfg.Login != "" && (l.User != s.cfg.Login || l.Password != s.cfg.Password)) {
		return fail()
	}
	if l.Database != "" && !strings.EqualFold(l.Database, "master") {
		db := s.database(l.Database)
		if db == nil || db.NoAccess {
			msg := fmt.Sprintf("Cannot open database \"%s\" requested by the login. The login failed.", l.Database)
			return fail(appendError(nil, 4060, 1, 11, msg, s.cfg.Server.ServerName))
		}
		c.database = db.Name
	} else {
		c.database = "master"
	}
	major, minor := versionBytes(s.cfg.Server.ProductVersion)
	b := appendLoginAck(nil, major, minor)
	b = appendDone(b, 0, 0)
	return true, writeMessage(c.rw, packetReply, b)
}

func (s *FakeServer) answer(c *conn, typ byte, msg []byte) error {
	switch typ {
	case packetAttention:
		return writeMessage(c.rw, packetReply, appendDone(nil, doneAttn, 0))
	case packetSQLBatch:
	default:
		// RPC (parameterised queries) and everything else: the probe's
		// queries are parameter-free, so this is a change to notice.
		b := appendError(nil, 50000, 1, 16, fmt.Sprintf("tdsfake: packet type %#x is not supported; keep the probe's queries parameter-free", typ), s.cfg.Server.ServerName)
		return writeMessage(c.rw, packetReply, appendDone(b, doneError, 0))
	}
	text, err := sqlBatchText(msg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.queries = append(s.queries, text)
	s.mu.Unlock()
	rs, qerr := s.query(c, text)
	var b []byte
	if qerr != nil {
		var se *sqlError
		if !errors.As(qerr, &se) {
			se = &sqlError{number: 50000, msg: qerr.Error()}
		}
		b = appendError(b, se.number, 1, 16, se.msg, s.cfg.Server.ServerName)
		b = appendDone(b, doneError, 0)
	} else if b, err = rs.encode(b); err != nil {
		return err
	}
	return writeMessage(c.rw, packetReply, b)
}

func (s *FakeServer) database(name string) *Database {
	for i := range s.cfg.Databases {
		if strings.EqualFold(s.cfg.Databases[i].Name, name) {
			return &s.cfg.Databases[i]
		}
	}
	return nil
}

func versionBytes(v string) (major, minor byte) {
	parts := strings.Split(v, ".")
	if len(parts) >= 2 {
		ma, _ := strconv.Atoi(parts[0])
		mi, _ := strconv.Atoi(parts[1])
		return byte(ma), byte(mi)
	}
	return 16, 0
}

// makeCertificate makes a self-signed certificate for localhost and
// 127.0.0.1, as a SQL Server without a CA-issued certificate has.
func (s *FakeServer) makeCertificate() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return nil
}

// serveBrowser answers the SQL Browser's CLNT_UCAST_EX request (MC-SQLR
// 2.2.2) with an SVR_RESP listing the configured instances.
func (s *FakeServer) serveBrowser() {
	defer s.wg.Done()
	buf := make([]byte, 512)
	for {
		n, addr, err := s.browser.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < 1 || buf[0] != 0x03 {
			continue
		}
		var list strings.Builder
		for name, port := range s.cfg.Instances {
			if port == 0 {
				port = s.Port()
			}
			fmt.Fprintf(&list, "ServerName;%s;InstanceName;%s;IsClustered;No;Version;%s;tcp;%d;;",
				s.cfg.Server.ServerName, name, s.cfg.Server.ProductVersion, port)
		}
		body := list.String()
		resp := append([]byte{0x05, byte(len(body)), byte(len(body) >> 8)}, body...)
		_, _ = s.browser.WriteTo(resp, addr)
	}
}
