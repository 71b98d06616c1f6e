package zarr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/pierrec/lz4/v4"
)

// Blosc1 header flags (c-blosc's README_HEADER.rst).
const (
	bloscShuffle    = 0x01
	bloscMemcpyed   = 0x02
	bloscBitShuffle = 0x04
	bloscDelta      = 0x08
	bloscDontSplit  = 0x10
	bloscHeaderLen  = 16
)

// bloscCodecs names Blosc's inner compressor codes, for messages.
var bloscCodecs = [...]string{"blosclz", "lz4", "snappy", "zlib", "zstd"}

// decodeBlosc decompresses one Blosc1 buffer. Every size and offset in the
// buffer is checked against its length, so damaged input gives an error
// rather than a panic or a huge allocation.
func decodeBlosc(src []byte) ([]byte, error) {
	if len(src) < bloscHeaderLen {
		return nil, fmt.Errorf("blosc: %d bytes is shorter than the 16-byte header", len(src))
	}
	version, flags, typesize := src[0], src[2], int(src[3])
	nbytes := int(binary.LittleEndian.Uint32(src[4:]))
	blocksize := int(binary.LittleEndian.Uint32(src[8:]))
	cbytes := int(binary.LittleEndian.Uint32(src[12:]))
	switch {
	case version == 0 || version > 2:
		return nil, fmt.Errorf("blosc: format version %d is not Blosc1", version)
	case cbytes != len(src):
		return nil, fmt.Errorf("blosc: header says %d compressed bytes but there are %d", cbytes, len(src))
	}
	// A buffer Blosc could not shrink is stored as it was, before any
	// shuffle or filter, whatever the other flags say.
	if flags&bloscMemcpyed != 0 {
		if len(src)-bloscHeaderLen != nbytes {
			return nil, fmt.Errorf("blosc: uncompressed buffer holds %d bytes, header says %d", len(src)-bloscHeaderLen, nbytes)
		}
		return bytes.Clone(src[bloscHeaderLen:]), nil
	}
	switch {
	case flags&bloscBitShuffle != 0:
		return nil, errors.New("blosc: bit shuffle is not supported")
	case flags&bloscDelta != 0:
		return nil, errors.New("blosc: the delta filter is not supported")
	case typesize == 0:
		return nil, errors.New("blosc: type size is 0")
	}
	codec := int(flags >> 5)
	if codec != 1 && codec != 3 {
		name := fmt.Sprintf("code %d", codec)
		if codec < len(bloscCodecs) {
			name = bloscCodecs[codec]
		}
		return nil, fmt.Errorf("blosc: inner compressor %s is not supported (lz4, lz4hc and zlib are)", name)
	}
	if nbytes == 0 {
		return []byte{}, nil
	}
	if blocksize <= 0 || blocksize > nbytes {
		return nil, fmt.Errorf("blosc: block size %d does not fit %d bytes", blocksize, nbytes)
	}
	nblocks := (nbytes + blocksize - 1) / blocksize
	if bloscHeaderLen+4*nblocks > len(src) {
		return nil, fmt.Errorf("blosc: %d blocks need a %d-byte offset table but the buffer has %d bytes", nblocks, 4*nblocks, len(src))
	}
	// LZ4 shrinks data at most about 255:1 and zlib about 1032:1, so an
	// honest buffer cannot claim an output more than 2048 times its size;
	// this bounds the allocation below for damaged headers.
	if nbytes/2048 > len(src) {
		return nil, fmt.Errorf("blosc: header claims %d bytes from a %d-byte buffer", nbytes, len(src))
	}
	out := make([]byte, nbytes)
	tmp := make([]byte, blocksize)
	for b := 0; b < nblocks; b++ {
		start := int(binary.LittleEndian.Uint32(src[bloscHeaderLen+4*b:]))
		bsize := min(blocksize, nbytes-b*blocksize)
		leftover := bsize < blocksize
		nsplits := 1
		if flags&bloscDontSplit == 0 && !leftover {
			nsplits = typesize
		}
		if bsize%nsplits != 0 {
			return nil, fmt.Errorf("blosc: block %d of %d bytes cannot be split in %d streams", b, bsize, nsplits)
		}
		dst := tmp[:bsize]
		if flags&bloscShuffle == 0 || typesize == 1 {
			dst = out[b*blocksize : b*blocksize+bsize]
		}
		if err := decodeBlock(src, start, dst, nsplits, codec); err != nil {
			return nil, fmt.Errorf("blosc: block %d: %w", b, err)
		}
		if flags&bloscShuffle != 0 && typesize > 1 {
			unshuffle(out[b*blocksize:b*blocksize+bsize], dst, typesize)
		}
	}
	return out, nil
}

// decodeBlock decompresses the nsplits streams of one block, each a 32-bit
// compressed length and its bytes, into dst. A stream whose length equals
// its decompressed size was stored raw.
func decodeBlock(src []byte, pos int, dst []byte, nsplits, codec int) error {
	neblock := len(dst) / nsplits
	for j := 0; j < nsplits; j++ {
		if pos < bloscHeaderLen || pos+4 > len(src) {
			return fmt.Errorf("stream %d starts at %d, outside the %d-byte buffer", j, pos, len(src))
		}
		n := int(int32(binary.LittleEndian.Uint32(src[pos:])))
		pos += 4
		if n < 0 || n > len(src)-pos {
			return fmt.Errorf("stream %d claims %d bytes but %d remain", j, n, len(src)-pos)
		}
		in, want := src[pos:pos+n], dst[j*neblock:(j+1)*neblock]
		pos += n
		if n == neblock {
			copy(want, in)
			continue
		}
		var got int
		var err error
		if codec == 1 {
			got, err = lz4.UncompressBlock(in, want)
		} else {
			got, err = inflateInto(in, want)
		}
		if err != nil {
			return fmt.Errorf("stream %d: %w", j, err)
		}
		if got != neblock {
			return fmt.Errorf("stream %d decompressed to %d bytes, want %d", j, got, neblock)
		}
	}
	return nil
}

// inflateInto decompresses a zlib stream into dst, which must be exactly
// filled.
func inflateInto(in, dst []byte) (int, error) {
	z, err := zlib.NewReader(bytes.NewReader(in))
	if err != nil {
		return 0, err
	}
	n, err := io.ReadFull(z, dst)
	if err != nil {
		return n, err
	}
	if extra, _ := z.Read(make([]byte, 1)); extra != 0 {
		return n, errors.New("zlib stream is longer than its block")
	}
	return n, nil
}

// unshuffle undoes Blosc's byte shuffle: src holds the first byte of every
// element, then every second byte, and so on; bytes past the last whole
// element were left in place.
func unshuffle(dst, src []byte, typesize int) {
	n := len(src) / typesize
	for i := 0; i < typesize; i++ {
		stream := src[i*n : (i+1)*n]
		for j, v := range stream {
			dst[j*typesize+i] = v
		}
	}
	copy(dst[n*typesize:], src[n*typesize:])
}
