package zarr

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bloscCase mirrors one entry of testdata/blosc/cases.json.
type bloscCase struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	N       int    `json:"n"`
	Cname   string `json:"cname"`
	Shuffle int    `json:"shuffle"`
	Clevel  int    `json:"clevel"`
}

// bloscInput rebuilds the data make_fixtures.py compressed: float32(i)/4,
// float32(i%16), float32 zeros or int64(i*i), little-endian.
func bloscInput(kind string, n int) []byte {
	var out []byte
	for i := 0; i < n; i++ {
		switch kind {
		case "f4":
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(i)*0.25))
		case "m4":
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(i%16)))
		case "z4":
			out = binary.LittleEndian.AppendUint32(out, 0)
		default:
			out = binary.LittleEndian.AppendUint64(out, uint64(i*i))
		}
	}
	return out
}

func TestDecodeBlosc(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "blosc", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []bloscCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{
		"blosclz_f4": "blosclz is not supported",
		"zstd_f4":    "zstd is not supported",
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "blosc", c.Name+".blosc"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeBlosc(src)
			if why, ok := refused[c.Name]; ok {
				if err == nil || !strings.Contains(err.Error(), why) {
					t.Fatalf("error %v, want one saying %q", err, why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := bloscInput(c.Kind, c.N)
			if len(want) == 0 {
				t.Fatalf("unknown data kind %q", c.Kind)
			}
			if string(got) != string(want) {
				t.Fatalf("decoded %d bytes differ from the %d input bytes", len(got), len(want))
			}
		})
	}
}

// TestDecodeBloscDamaged feeds cut and altered buffers: each must give an
// error, never a panic or a wrong result.
func TestDecodeBloscDamaged(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "blosc", "lz4_shuffle_blocks_f4.blosc"))
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name, want string
		src        []byte
	}{
		{"empty", "shorter than the 16-byte header", nil},
		{"truncated", "compressed bytes but there are", good[:len(good)-10]},
		{"version", "not Blosc1", mutate(func(b []byte) []byte { b[0] = 9; return b })},
		{"bit shuffle", "bit shuffle", mutate(func(b []byte) []byte { b[2] |= bloscBitShuffle; return b })},
		{"delta", "delta", mutate(func(b []byte) []byte { b[2] |= bloscDelta; return b })},
		{"snappy", "snappy is not supported", mutate(func(b []byte) []byte { b[2] = b[2]&0x1f | 2<<5; return b })},
		{"block offset", "outside", mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16:], uint32(len(b)+100))
			return b
		})},
		{"stream length", "remain", mutate(func(b []byte) []byte {
			start := binary.LittleEndian.Uint32(b[16:])
			binary.LittleEndian.PutUint32(b[start:], 1<<30)
			return b
		})},
		{"huge nbytes", "does not fit", mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[8:], 1<<31)
			return b
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeBlosc(c.src)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Garbage in the compressed streams must fail cleanly too.
	if blocks := binary.LittleEndian.Uint32(good[4:]) / binary.LittleEndian.Uint32(good[8:]); blocks < 2 {
		t.Fatalf("fixture has %d whole blocks; it should have several", blocks)
	}
	for i := 16 + 4*7; i < len(good); i += 7 {
		b := append([]byte(nil), good...)
		b[i] ^= 0xff
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("flipping byte %d panicked: %v", i, p)
				}
			}()
			decodeBlosc(b)
		}()
	}
}
