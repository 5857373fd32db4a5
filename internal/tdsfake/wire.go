package tdsfake

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"unicode/utf16"
)

// TDS packet types (MS-TDS 2.2.3.1.1).
const (
	packetSQLBatch  = 0x01
	packetRPC       = 0x03
	packetReply     = 0x04
	packetAttention = 0x06
	packetLogin7    = 0x10
	packetPrelogin  = 0x12
)

const (
	headerSize = 8
	// packetSize is what the fake writes per packet; go-mssqldb asks for
	// 4096 and the fake never agrees to anything else.
	packetSize = 4096
	statusEOM  = 0x01
)

// readPacket reads one TDS packet and returns its type, status and payload.
func readPacket(r io.Reader) (typ, status byte, payload []byte, err error) {
	var hdr [headerSize]byte
	if _, err = io.ReadFull(r, hdr[:]); err != nil {
		return 0, 0, nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[2:4]))
	if n < headerSize {
		return 0, 0, nil, fmt.Errorf("tdsfake: packet length %d is shorter than its header", n)
	}
	payload = make([]byte, n-headerSize)
	if _, err = io.ReadFull(r, payload); err != nil {
		return 0, 0, nil, err
	}
	return hdr[0], hdr[1], payload, nil
}

// readMessage reads packets up to the one marked end-of-message.
func readMessage(r io.Reader) (typ byte, msg []byte, err error) {
	for {
		t, status, payload, err := readPacket(r)
		if err != nil {
			return 0, nil, err
		}
		typ = t
		msg = append(msg, payload...)
		if status&statusEOM != 0 {
			return typ, msg, nil
		}
	}
}

// writeMessage splits msg into packets of the given type.
func writeMessage(w io.Writer, typ byte, msg []byte) error {
	id := byte(1)
	for {
		chunk := msg
		status := byte(statusEOM)
		if len(chunk) > packetSize-headerSize {
			chunk = chunk[:packetSize-headerSize]
			status = 0
		}
		pkt := make([]byte, headerSize, headerSize+len(chunk))
		pkt[0] = typ
		pkt[1] = status
		binary.BigEndian.PutUint16(pkt[2:4], uint16(headerSize+len(chunk)))
		pkt[6] = id
		pkt = append(pkt, chunk...)
		if _, err := w.Write(pkt); err != nil {
			return err
		}
		msg = msg[len(chunk):]
		id++
		if status == statusEOM {
			return nil
		}
	}
}

// tdsWrapped carries a TLS handshake inside PRELOGIN packets, as SQL Server
// does before TDS 8 (MS-TDS 3.3.5.2). After the handshake, Unwrap makes it a
// plain pass-through so TLS records go straight over TCP.
type tdsWrapped struct {
	net.Conn
	wrapped bool
	pending []byte
}

func (c *tdsWrapped) Read(p []byte) (int, error) {
	if !c.wrapped {
		return c.Conn.Read(p)
	}
	for len(c.pending) == 0 {
		_, _, payload, err := readPacket(c.Conn)
		if err != nil {
			return 0, err
		}
		c.pending = payload
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

func (c *tdsWrapped) Write(p []byte) (int, error) {
	if !c.wrapped {
		return c.Conn.Write(p)
	}
	if err := writeMessage(c.Conn, packetPrelogin, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// PRELOGIN option tokens (MS-TDS 2.2.6.5).
const (
	preloginVersion    = 0x00
	preloginEncryption = 0x01
	preloginInstOpt    = 0x02
	preloginThreadID   = 0x03
	preloginMARS       = 0x04
	preloginTerminator = 0xFF
)

// Encryption values of the PRELOGIN ENCRYPTION option.
const (
	encryptOff    = 0x00
	encryptOn     = 0x01
	encryptNotSup = 0x02
	encryptReq    = 0x03
)

func parsePrelogin(msg []byte) (map[byte][]byte, error) {
	opts := map[byte][]byte{}
	for i := 0; i < len(msg); i += 5 {
		token := msg[i]
		if token == preloginTerminator {
			return opts, nil
		}
		if i+5 > len(msg) {
			break
		}
		off := int(binary.BigEndian.Uint16(msg[i+1:]))
		n := int(binary.BigEndian.Uint16(msg[i+3:]))
		if off+n > len(msg) {
			return nil, errors.New("tdsfake: PRELOGIN option runs past the message")
		}
		opts[token] = msg[off : off+n]
	}
	return nil, errors.New("tdsfake: PRELOGIN has no terminator")
}

func buildPrelogin(encryption byte) []byte {
	type opt struct {
		token byte
		data  []byte
	}
	opts := []opt{
		{preloginVersion, []byte{16, 0, 0x10, 0x27, 0, 0}},
		{preloginEncryption, []byte{encryption}},
		{preloginInstOpt, []byte{0}},
		{preloginThreadID, []byte{}},
		{preloginMARS, []byte{0}},
	}
	offset := len(opts)*5 + 1
	var table, data []byte
	for _, o := range opts {
		table = append(table, o.token)
		table = binary.BigEndian.AppendUint16(table, uint16(offset+len(data)))
		table = binary.BigEndian.AppendUint16(table, uint16(len(o.data)))
		data = append(data, o.data...)
	}
	table = append(table, preloginTerminator)
	return append(table, data...)
}

// login7 is the part of a LOGIN7 message the fake looks at.
type login7 struct {
	User, Password, Database string
}

// parseLogin7 reads user, password and database from their offset/length
// pairs (MS-TDS 2.2.6.4: user at byte 40, password 44, database 68).
func parseLogin7(msg []byte) (login7, error) {
	field := func(at int) (string, error) {
		if at+4 > len(msg) {
			return "", errors.New("tdsfake: LOGIN7 is too short")
		}
		off := int(binary.LittleEndian.Uint16(msg[at:]))
		chars := int(binary.LittleEndian.Uint16(msg[at+2:]))
		if off+2*chars > len(msg) {
			return "", errors.New("tdsfake: LOGIN7 field runs past the message")
		}
		return string(msg[off : off+2*chars]), nil
	}
	var l login7
	var err error
	var raw string
	if raw, err = field(40); err != nil {
		return l, err
	}
	l.User = fromUTF16([]byte(raw))
	if raw, err = field(44); err != nil {
		return l, err
	}
	pw := []byte(raw)
	for i, b := range pw {
		b ^= 0xA5
		pw[i] = b<<4 | b>>4
	}
	l.Password = fromUTF16(pw)
	if raw, err = field(68); err != nil {
		return l, err
	}
	l.Database = fromUTF16([]byte(raw))
	return l, nil
}

// sqlBatchText skips ALL_HEADERS (its first u32 is its own total length)
// and decodes the UTF-16LE SQL text.
func sqlBatchText(msg []byte) (string, error) {
	if len(msg) < 4 {
		return "", errors.New("tdsfake: SQL batch is too short")
	}
	n := int(binary.LittleEndian.Uint32(msg))
	if n > len(msg) {
		return "", errors.New("tdsfake: ALL_HEADERS runs past the batch")
	}
	return fromUTF16(msg[n:]), nil
}

func fromUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func toUTF16(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}
