package tdsfake

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Token types (MS-TDS 2.2.7).
const (
	tokenColMetadata = 0x81
	tokenError       = 0xAA
	tokenLoginAck    = 0xAD
	tokenRow         = 0xD1
	tokenDone        = 0xFD
)

// DONE status bits.
const (
	doneMore  = 0x01
	doneError = 0x02
	doneCount = 0x10
	doneAttn  = 0x20
)

// Column types the fake can send. They are what the probe's queries return
// (CASTs keep SERVERPROPERTY values out of sql_variant).
const (
	typeNVarChar       = 0xE7
	typeIntN           = 0x26
	typeBitN           = 0x68
	typeDateTimeOffset = 0x2B
)

// column is one column of a canned result set.
type column struct {
	name string
	typ  byte
}

func nvarcharCol(name string) column { return column{name, typeNVarChar} }
func intCol(name string) column      { return column{name, typeIntN} }
func bitCol(name string) column      { return column{name, typeBitN} }
func datetimeCol(name string) column { return column{name, typeDateTimeOffset} }

// resultSet is a canned answer: columns and rows of values, where a value
// is string, int, bool, time.Time or nil for NULL.
type resultSet struct {
	cols []column
	rows [][]any
}

// Latin1_General_CI_AS as TDS sends it: LCID 0x0409 with flags, sort ID 52.
var collationBytes = []byte{0x09, 0x04, 0xD0, 0x00, 0x34}

func (rs resultSet) encode(b []byte) ([]byte, error) {
	b = append(b, tokenColMetadata)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(rs.cols)))
	for _, c := range rs.cols {
		b = binary.LittleEndian.AppendUint32(b, 0) // user type
		b = binary.LittleEndian.AppendUint16(b, 1) // flags: nullable
		b = append(b, c.typ)
		switch c.typ {
		case typeNVarChar:
			b = binary.LittleEndian.AppendUint16(b, 8000)
			b = append(b, collationBytes...)
		case typeIntN:
			b = append(b, 4)
		case typeBitN:
			b = append(b, 1)
		case typeDateTimeOffset:
			b = append(b, 7) // scale
		}
		b = appendBVarChar(b, c.name)
	}
	for _, row := range rs.rows {
		if len(row) != len(rs.cols) {
			return nil, fmt.Errorf("tdsfake: row has %d values for %d columns", len(row), len(rs.cols))
		}
		b = append(b, tokenRow)
		for i, v := range row {
			var err error
			if b, err = appendValue(b, rs.cols[i].typ, v); err != nil {
				return nil, fmt.Errorf("tdsfake: column %s: %w", rs.cols[i].name, err)
			}
		}
	}
	return appendDone(b, doneCount, uint64(len(rs.rows))), nil
}

func appendValue(b []byte, typ byte, v any) ([]byte, error) {
	if v == nil {
		if typ == typeNVarChar {
			return binary.LittleEndian.AppendUint16(b, 0xFFFF), nil
		}
		return append(b, 0), nil
	}
	switch typ {
	case typeNVarChar:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want string, got %T", v)
		}
		u := toUTF16(s)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(u)))
		return append(b, u...), nil
	case typeIntN:
		n, ok := v.(int)
		if !ok {
			return nil, fmt.Errorf("want int, got %T", v)
		}
		b = append(b, 4)
		return binary.LittleEndian.AppendUint32(b, uint32(int32(n))), nil
	case typeBitN:
		t, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("want bool, got %T", v)
		}
		bit := byte(0)
		if t {
			bit = 1
		}
		return append(b, 1, bit), nil
	case typeDateTimeOffset:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("want time.Time, got %T", v)
		}
		return appendDateTimeOffset(b, t), nil
	}
	return nil, fmt.Errorf("unknown type %#x", typ)
}

// appendDateTimeOffset writes scale 7: 5 bytes of 100 ns ticks since
// midnight UTC, 3 bytes of days since 0001-01-01, then the offset in
// minutes (always 0 here).
func appendDateTimeOffset(b []byte, t time.Time) []byte {
	t = t.UTC()
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	ticks := uint64(t.Sub(midnight) / 100)
	// time.Duration overflows after 292 years, so count days in Unix seconds.
	days := uint32((midnight.Unix() - time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) / 86400)
	b = append(b, 10)
	for i := range 5 {
		b = append(b, byte(ticks>>(8*i)))
	}
	b = append(b, byte(days), byte(days>>8), byte(days>>16))
	return append(b, 0, 0)
}

func appendBVarChar(b []byte, s string) []byte {
	u := toUTF16(s)
	b = append(b, byte(len(u)/2))
	return append(b, u...)
}

func appendUSVarChar(b []byte, s string) []byte {
	u := toUTF16(s)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(u)/2))
	return append(b, u...)
}

func appendDone(b []byte, status uint16, rows uint64) []byte {
	b = append(b, tokenDone)
	b = binary.LittleEndian.AppendUint16(b, status)
	b = binary.LittleEndian.AppendUint16(b, 0xC1) // SELECT
	return binary.LittleEndian.AppendUint64(b, rows)
}

// appendError writes an ERROR token as SQL Server does (MS-TDS 2.2.7.10).
func appendError(b []byte, number int32, state, class byte, msg, server string) []byte {
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, uint32(number))
	body = append(body, state, class)
	body = appendUSVarChar(body, msg)
	body = appendBVarChar(body, server)
	body = appendBVarChar(body, "")
	body = binary.LittleEndian.AppendUint32(body, 1)
	b = append(b, tokenError)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// appendLoginAck says "TDS 7.4, Microsoft SQL Server" with the major and
// minor version from the configured product version.
func appendLoginAck(b []byte, major, minor byte) []byte {
	var body []byte
	body = append(body, 1)                                 // interface: SQL
	body = binary.BigEndian.AppendUint32(body, 0x74000004) // TDS 7.4
	body = appendBVarChar(body, "Microsoft SQL Server")
	body = append(body, major, minor, 0, 0)
	b = append(b, tokenLoginAck)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}
