// pgrows — PostgreSQL DataRows written natively from a chunk's column vectors.
//
// The same bytes as src/protocols/pgwire/vector-fields.ts writes, in text and in binary format
// (each column in its own format), for the columns it takes: bool, int2/4/8, float8 (text: the
// shortest digits, extra_float_digits > 0), numeric as a scaled int16/32/64, date, timestamp,
// timestamptz (text: with per-row UTC offsets from the caller) and varchar. The caller
// (src/protocols/pgwire/native-rows.ts) checks the column kinds and the format context. A value
// this file does not write as vector-fields.ts would (a far year, an infinity, an integer that
// does not fit its announced binary width) stops the run before its row, so the caller writes
// that row itself and goes on.
//
// Invariants: nothing is written past `out`'s length and nothing read past an input array's
// length (a column's arrays are checked against the row range before the run); the output
// offset in `state` only ever moves over whole rows.
//
// encodeRows(out: Uint8Array, state: Int32Array [at, softLimit, stop], columns: Column[],
//            from: number, to: number) -> rows written
//   state[0]: where to write, updated; state[1]: stop once at >= this (after a whole row);
//   state[2] set to 1 when the run stopped at a row for the caller, else 0.
// Column: { kind, binary, width, data, valid, scale, sources, ref, offsets, offset } (native-rows.ts).
#include <node_api.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <climits>
#include <cstring>
#include <vector>

namespace {

enum Kind : int32_t {
  kBool = 0,
  kInt16 = 1,
  kInt32 = 2,
  kInt64 = 3,
  kFloat64 = 4,
  kDec16 = 5,
  kDec32 = 6,
  kDec64 = 7,
  kDate = 8,
  kTimestamp = 9,
  kTimestamptz = 10,
  kVarchar = 11,
};

struct Bytes {
  const uint8_t* p = nullptr;
  size_t n = 0;
};

struct Column {
  int32_t kind = 0;
  bool binary = false;
  int32_t width = 8;  // binary integers: the announced type's bytes (2, 4 or 8)
  Bytes data;
  Bytes valid;  // n == 0: no NULLs
  int32_t scale = 0;
  std::vector<Bytes> sources;
  const int32_t* ref = nullptr;
  size_t refLen = 0;
  const int32_t* offsets = nullptr;  // timestamptz: seconds east of UTC per row (kForeignOffset: the caller's row), or
  size_t offsetsLen = 0;
  int32_t offset = 0;  // one offset for every row
};

const char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// 10^0 … 10^19.
constexpr uint64_t kPow10[20] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
    10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL, 1000000000000000ULL,
    10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};

inline int digitCount(uint64_t a) {
  int n = 1;
  while (n < 20 && a >= kPow10[n]) n++;
  return n;
}

// The digits of a, right-aligned to end just before `end`.
inline void putDigits(uint8_t* end, uint64_t a) {
  uint8_t* p = end;
  while (a >= 100) {
    unsigned d = static_cast<unsigned>(a % 100) * 2;
    a /= 100;
    *--p = kPairs[d + 1];
    *--p = kPairs[d];
  }
  if (a >= 10) {
    unsigned d = static_cast<unsigned>(a) * 2;
    *--p = kPairs[d + 1];
    *--p = kPairs[d];
  } else {
    *--p = static_cast<uint8_t>('0' + a);
  }
}

inline void put2(uint8_t* p, int v) {
  p[0] = kPairs[v * 2];
  p[1] = kPairs[v * 2 + 1];
}

inline void putLen(uint8_t* p, int32_t n) {
  p[0] = static_cast<uint8_t>((n >> 24) & 0xff);
  p[1] = static_cast<uint8_t>((n >> 16) & 0xff);
  p[2] = static_cast<uint8_t>((n >> 8) & 0xff);
  p[3] = static_cast<uint8_t>(n & 0xff);
}

inline bool isNull(const Column& c, size_t r) { return c.valid.n != 0 && (c.valid.p[r >> 3] & (1u << (r & 7))) == 0; }

template <typename T>
inline T load(const Bytes& b, size_t r) {
  T v;
  std::memcpy(&v, b.p + r * sizeof(T), sizeof(T));
  return v;
}

// A field's bytes are written into a scratch area first (at most kMaxScalar), then copied.
constexpr size_t kMaxScalar = 64;

// Signed integer text.
inline size_t intText(uint8_t* s, int64_t v) {
  bool neg = v < 0;
  uint64_t a = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int n = digitCount(a);
  size_t len = static_cast<size_t>(n) + (neg ? 1 : 0);
  if (neg) s[0] = '-';
  putDigits(s + len, a);
  return len;
}

// A decimal scaled × 10^-scale as its sign, whole part and fraction digits (as an integer).
struct Decimal {
  bool neg;
  uint64_t whole;
  uint64_t frac;
};

inline Decimal splitDecimal(int64_t scaled, int scale) {
  bool neg = scaled < 0;
  uint64_t a = neg ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  uint64_t factor = kPow10[scale];
  return Decimal{neg, a / factor, a % factor};
}

// numeric_out of scaled × 10^-scale: sign, whole part, '.', the fraction zero-padded to the scale.
inline size_t decimalText(uint8_t* s, int64_t scaled, int scale) {
  auto [neg, whole, frac] = splitDecimal(scaled, scale);
  size_t p = 0;
  if (neg) s[p++] = '-';
  int wl = digitCount(whole);
  putDigits(s + p + wl, whole);
  p += static_cast<size_t>(wl);
  if (scale > 0) {
    s[p] = '.';
    for (int i = scale; i >= 1; i--) {
      s[p + static_cast<size_t>(i)] = static_cast<uint8_t>('0' + frac % 10);
      frac /= 10;
    }
    p += static_cast<size_t>(scale) + 1;
  }
  return p;
}

// float8out with extra_float_digits > 0: the shortest digits that read back as x, in fixed
// notation when the decimal exponent is in [-4, 15), else d.ddde±XX (two exponent digits at least).
inline size_t float8Text(uint8_t* s, double x) {
  if (x != x) {
    std::memcpy(s, "NaN", 3);
    return 3;
  }
  if (x == __builtin_inf()) {
    std::memcpy(s, "Infinity", 8);
    return 8;
  }
  if (x == -__builtin_inf()) {
    std::memcpy(s, "-Infinity", 9);
    return 9;
  }
  if (x == 0) {
    if (std::signbit(x)) {
      std::memcpy(s, "-0", 2);
      return 2;
    }
    s[0] = '0';
    return 1;
  }
  char sci[40];
  auto res = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific);
  const char* end = res.ptr;
  const char* q = sci;
  bool neg = false;
  if (*q == '-') {
    neg = true;
    q++;
  }
  char digits[24];
  int nd = 0;
  while (q < end && *q != 'e') {
    if (*q != '.') digits[nd++] = *q;
    q++;
  }
  int exp = 0;
  if (q < end) {
    q++;  // 'e'
    bool eneg = *q == '-';
    if (*q == '-' || *q == '+') q++;
    while (q < end) exp = exp * 10 + (*q++ - '0');
    if (eneg) exp = -exp;
  }
  size_t p = 0;
  if (neg) s[p++] = '-';
  if (exp >= -4 && exp < 15) {
    if (exp < 0) {
      s[p++] = '0';
      s[p++] = '.';
      for (int i = 0; i < -exp - 1; i++) s[p++] = '0';
      for (int i = 0; i < nd; i++) s[p++] = static_cast<uint8_t>(digits[i]);
    } else {
      int intLen = exp + 1;
      for (int i = 0; i < intLen; i++) s[p++] = static_cast<uint8_t>(i < nd ? digits[i] : '0');
      if (nd > intLen) {
        s[p++] = '.';
        for (int i = intLen; i < nd; i++) s[p++] = static_cast<uint8_t>(digits[i]);
      }
    }
    return p;
  }
  s[p++] = static_cast<uint8_t>(digits[0]);
  if (nd > 1) {
    s[p++] = '.';
    for (int i = 1; i < nd; i++) s[p++] = static_cast<uint8_t>(digits[i]);
  }
  s[p++] = 'e';
  s[p++] = exp < 0 ? '-' : '+';
  int a = exp < 0 ? -exp : exp;
  if (a >= 100) {
    s[p++] = static_cast<uint8_t>('0' + a / 100);
    a %= 100;
  }
  put2(s + p, a);
  return p + 2;
}

inline int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

// YYYY-MM-DD of a day number since 1970-01-01; false outside years 1..9999.
inline bool civilDate(uint8_t* s, int64_t days) {
  int64_t z = days + 719468;
  int64_t era = floorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) return false;
  put2(s, static_cast<int>(year / 100));
  put2(s + 2, static_cast<int>(year % 100));
  s[4] = '-';
  put2(s + 5, static_cast<int>(month));
  s[7] = '-';
  put2(s + 8, static_cast<int>(day));
  return true;
}

// Days since 1970-01-01 of 1900-01-01 and 2200-01-01: the range of the date table.
constexpr int64_t kTableFirst = -25567;
constexpr int64_t kTableEnd = 84006;

// YYYY-MM-DD of every day from 1900 to 2199, ten bytes each (1.1 MB, built on first use).
const uint8_t* dateTable() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(static_cast<size_t>(kTableEnd - kTableFirst) * 10);
    for (int64_t d = kTableFirst; d < kTableEnd; d++) civilDate(t.data() + (d - kTableFirst) * 10, d);
    return t;
  }();
  return table.data();
}

inline bool dateText(uint8_t* s, int64_t days) {
  if (days >= kTableFirst && days < kTableEnd) {
    std::memcpy(s, dateTable() + (days - kTableFirst) * 10, 10);
    return true;
  }
  return civilDate(s, days);
}

constexpr int64_t kDayUs = 86400000000LL;
// An offset the caller gives for a row it writes itself.
constexpr int32_t kForeignOffset = INT32_MIN;
// Years 1..9999 lie well inside this; beyond it the zone shift could overflow.
constexpr int64_t kMaxAbsUs = 300000000000000000LL;

// timestamp_out (hasZone false) or timestamptz_out at `offset` seconds east of UTC:
// YYYY-MM-DD HH:MM:SS[.ffffff, trailing zeros dropped][+HH[:MM[:SS]]]. 0: not printable here.
inline size_t timestampText(uint8_t* s, int64_t us0, bool hasZone, int32_t offset) {
  if (us0 > kMaxAbsUs || us0 < -kMaxAbsUs) return 0;
  int64_t us = us0 + static_cast<int64_t>(offset) * 1000000;
  int64_t days = floorDiv(us, kDayUs);
  int64_t tod = us - days * kDayUs;
  int64_t secs = tod / 1000000;
  int64_t frac = tod - secs * 1000000;
  if (!dateText(s, days)) return 0;
  size_t p = 10;
  s[p++] = ' ';
  int h = static_cast<int>(secs / 3600);
  int m = static_cast<int>(secs / 60 % 60);
  put2(s + p, h);
  s[p + 2] = ':';
  put2(s + p + 3, m);
  s[p + 5] = ':';
  put2(s + p + 6, static_cast<int>(secs % 60));
  p += 8;
  if (frac != 0) {
    int fd = 6;
    int64_t f = frac;
    while (f % 10 == 0) {
      f /= 10;
      fd--;
    }
    s[p++] = '.';
    for (int i = fd - 1; i >= 0; i--) {
      s[p + static_cast<size_t>(i)] = static_cast<uint8_t>('0' + f % 10);
      f /= 10;
    }
    p += static_cast<size_t>(fd);
  }
  if (hasZone) {
    int32_t a = offset < 0 ? -offset : offset;
    s[p++] = offset >= 0 ? '+' : '-';
    put2(s + p, a / 3600);
    p += 2;
    if (a % 3600 != 0) {
      s[p++] = ':';
      put2(s + p, a / 60 % 60);
      p += 2;
      if (a % 60 != 0) {
        s[p++] = ':';
        put2(s + p, a % 60);
        p += 2;
      }
    }
  }
  return p;
}

// ---- binary -------------------------------------------------------------------------------------

constexpr int64_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochUs = 946684800000000LL;
// Dates and timestamps vector-fields.ts shifts in place; beyond them (the infinities among
// others) its caller's row path writes the value.
constexpr int64_t kFastDays = 100000000;
constexpr int64_t kFastBinaryUs = 8000000000000000LL;

inline size_t bigEndian(uint8_t* s, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) {
    s[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return static_cast<size_t>(bytes);
}

// A binary integer in the announced width; 0 when the value does not fit it.
inline size_t intBinary(uint8_t* s, int64_t v, int width) {
  if (width == 2 && (v < -32768 || v > 32767)) return 0;
  if (width == 4 && (v < INT32_MIN || v > INT32_MAX)) return 0;
  return bigEndian(s, static_cast<uint64_t>(v), width);
}

// numeric_send of scaled × 10^-scale: ndigits, weight, sign, dscale, then base-10000 digits
// (leading and trailing zero digits dropped).
inline size_t numericBinary(uint8_t* s, int64_t scaled, int scale) {
  auto [neg, whole, frac] = splitDecimal(scaled, scale);
  uint16_t groups[16];
  uint16_t rev[8];
  int nr = 0;
  while (whole > 0) {
    rev[nr++] = static_cast<uint16_t>(whole % 10000);
    whole /= 10000;
  }
  int ig = 0;
  for (int i = nr - 1; i >= 0; i--) groups[ig++] = rev[i];
  int fracGroups = (scale + 3) / 4;
  unsigned __int128 f = frac;
  for (int i = 0; i < fracGroups * 4 - scale; i++) f *= 10;
  for (int g = fracGroups - 1; g >= 0; g--) {
    groups[ig + g] = static_cast<uint16_t>(f % 10000);
    f /= 10000;
  }
  int total = ig + fracGroups;
  int weight = ig - 1;
  int start = 0;
  while (start < total && groups[start] == 0) {
    start++;
    weight--;
  }
  int end = total;
  while (end > start && groups[end - 1] == 0) end--;
  int nd = end - start;
  if (nd == 0) weight = 0;
  uint16_t sign = nd == 0 || !neg ? 0x0000 : 0x4000;
  size_t p = 0;
  p += bigEndian(s + p, static_cast<uint64_t>(nd), 2);
  p += bigEndian(s + p, static_cast<uint64_t>(static_cast<uint16_t>(weight)), 2);
  p += bigEndian(s + p, sign, 2);
  p += bigEndian(s + p, static_cast<uint64_t>(scale), 2);
  for (int g = start; g < end; g++) p += bigEndian(s + p, groups[g], 2);
  return p;
}

// ---- one field --------------------------------------------------------------------------------

// A field's bytes: in `scratch` (at most kMaxScalar), or for varchar pointed to in *src.
// kForeign: the row is the caller's.
constexpr size_t kForeign = SIZE_MAX;

inline const uint8_t* varcharBytes(const Column& c, size_t r, size_t* len) {
  int32_t si = c.ref[3 * r], st = c.ref[3 * r + 1], ln = c.ref[3 * r + 2];
  if (si < 0 || static_cast<size_t>(si) >= c.sources.size() || st < 0 || ln < 0 ||
      static_cast<size_t>(st) + static_cast<size_t>(ln) > c.sources[static_cast<size_t>(si)].n)
    return nullptr;
  *len = static_cast<size_t>(ln);
  return c.sources[static_cast<size_t>(si)].p + st;
}

inline size_t orForeign(size_t len) { return len == 0 ? kForeign : len; }

size_t textField(const Column& c, size_t r, uint8_t* scratch, const uint8_t** src) {
  switch (c.kind) {
    case kBool:
      scratch[0] = c.data.p[r] != 0 ? 't' : 'f';
      return 1;
    case kInt16:
      return intText(scratch, load<int16_t>(c.data, r));
    case kInt32:
      return intText(scratch, load<int32_t>(c.data, r));
    case kInt64:
      return intText(scratch, load<int64_t>(c.data, r));
    case kFloat64:
      return float8Text(scratch, load<double>(c.data, r));
    case kDec16:
      return decimalText(scratch, load<int16_t>(c.data, r), c.scale);
    case kDec32:
      return decimalText(scratch, load<int32_t>(c.data, r), c.scale);
    case kDec64:
      return decimalText(scratch, load<int64_t>(c.data, r), c.scale);
    case kDate:
      return dateText(scratch, load<int32_t>(c.data, r)) ? 10 : kForeign;
    case kTimestamp:
      return orForeign(timestampText(scratch, load<int64_t>(c.data, r), false, 0));
    case kTimestamptz: {
      int32_t off = c.offsets ? c.offsets[r] : c.offset;
      return off == kForeignOffset ? kForeign : orForeign(timestampText(scratch, load<int64_t>(c.data, r), true, off));
    }
    case kVarchar: {
      size_t len = 0;
      *src = varcharBytes(c, r, &len);
      return *src == nullptr ? kForeign : len;
    }
    default:
      return kForeign;
  }
}

size_t binaryField(const Column& c, size_t r, uint8_t* scratch, const uint8_t** src) {
  switch (c.kind) {
    case kBool:
      scratch[0] = c.data.p[r] != 0 ? 1 : 0;
      return 1;
    case kInt16:
      return orForeign(intBinary(scratch, load<int16_t>(c.data, r), c.width));
    case kInt32:
      return orForeign(intBinary(scratch, load<int32_t>(c.data, r), c.width));
    case kInt64:
      return orForeign(intBinary(scratch, load<int64_t>(c.data, r), c.width));
    case kFloat64: {
      uint64_t bits;
      std::memcpy(&bits, c.data.p + r * 8, 8);
      return bigEndian(scratch, bits, 8);
    }
    case kDec16:
      return numericBinary(scratch, load<int16_t>(c.data, r), c.scale);
    case kDec32:
      return numericBinary(scratch, load<int32_t>(c.data, r), c.scale);
    case kDec64:
      return numericBinary(scratch, load<int64_t>(c.data, r), c.scale);
    case kDate: {
      int64_t d = load<int32_t>(c.data, r);
      if (d <= -kFastDays || d >= kFastDays) return kForeign;
      return bigEndian(scratch, static_cast<uint64_t>(d - kPgEpochDays), 4);
    }
    case kTimestamp:
    case kTimestamptz: {
      int64_t us = load<int64_t>(c.data, r);
      if (us <= -kFastBinaryUs || us >= kFastBinaryUs) return kForeign;
      return bigEndian(scratch, static_cast<uint64_t>(us - kPgEpochUs), 8);
    }
    case kVarchar: {
      size_t len = 0;
      *src = varcharBytes(c, r, &len);
      return *src == nullptr ? kForeign : len;
    }
    default:
      return kForeign;
  }
}

// ---- N-API glue -------------------------------------------------------------------------------

bool typedBytes(napi_env env, napi_value v, Bytes* out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_null || t == napi_undefined) {
    *out = Bytes{};
    return true;
  }
  bool is = false;
  napi_is_typedarray(env, v, &is);
  if (!is) return false;
  napi_typedarray_type tt;
  size_t length;
  void* data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &tt, &length, &data, &ab, &off) != napi_ok) return false;
  size_t elem = 1;
  switch (tt) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      elem = 1;
      break;
    case napi_int16_array:
    case napi_uint16_array:
      elem = 2;
      break;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      elem = 4;
      break;
    default:
      elem = 8;
  }
  out->p = static_cast<const uint8_t*>(data);
  out->n = length * elem;
  return true;
}

napi_value prop(napi_env env, napi_value o, const char* name) {
  napi_value v = nullptr;
  napi_get_named_property(env, o, name, &v);
  return v;
}

int32_t int32Prop(napi_env env, napi_value o, const char* name) {
  int32_t x = 0;
  napi_get_value_int32(env, prop(env, o, name), &x);
  return x;
}

napi_value fail(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

size_t widthOf(int32_t kind) {
  switch (kind) {
    case kBool:
      return 1;
    case kInt16:
    case kDec16:
      return 2;
    case kInt32:
    case kDec32:
    case kDate:
      return 4;
    case kVarchar:
      return 0;
    default:
      return 8;
  }
}

napi_value EncodeRows(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 5) return fail(env, "encodeRows(out, state, columns, from, to)");
  Bytes outB;
  if (!typedBytes(env, argv[0], &outB) || outB.p == nullptr) return fail(env, "out must be a Uint8Array");
  uint8_t* out = const_cast<uint8_t*>(outB.p);
  Bytes stateB;
  if (!typedBytes(env, argv[1], &stateB) || stateB.n < 12) return fail(env, "state must be an Int32Array of 3");
  int32_t* state = reinterpret_cast<int32_t*>(const_cast<uint8_t*>(stateB.p));
  int64_t from64 = 0, to64 = 0;
  napi_get_value_int64(env, argv[3], &from64);
  napi_get_value_int64(env, argv[4], &to64);
  if (from64 < 0 || to64 < from64) return fail(env, "bad row range");
  size_t from = static_cast<size_t>(from64), to = static_cast<size_t>(to64);

  uint32_t ncols = 0;
  napi_get_array_length(env, argv[2], &ncols);
  if (ncols > 1600) return fail(env, "too many columns");
  std::vector<Column> cols(ncols);
  for (uint32_t i = 0; i < ncols; i++) {
    napi_value o;
    napi_get_element(env, argv[2], i, &o);
    Column& c = cols[i];
    c.kind = int32Prop(env, o, "kind");
    c.binary = int32Prop(env, o, "binary") != 0;
    c.width = int32Prop(env, o, "width");
    if (c.binary && (c.kind == kInt16 || c.kind == kInt32 || c.kind == kInt64) && c.width != 2 && c.width != 4 && c.width != 8)
      return fail(env, "binary integers need a width of 2, 4 or 8");
    c.scale = int32Prop(env, o, "scale");
    c.offset = int32Prop(env, o, "offset");
    if (c.kind < kBool || c.kind > kVarchar) return fail(env, "unknown column kind");
    if (c.scale < 0 || c.scale > 18) return fail(env, "scale out of range");
    if (!typedBytes(env, prop(env, o, "data"), &c.data)) return fail(env, "data must be a typed array");
    if (!typedBytes(env, prop(env, o, "valid"), &c.valid)) return fail(env, "valid must be a Uint8Array or null");
    if (c.valid.n != 0 && c.valid.n * 8 < to) return fail(env, "validity mask shorter than the rows");
    size_t w = widthOf(c.kind);
    if (w != 0 && c.data.n < to * w) return fail(env, "data shorter than the rows");
    if (c.kind == kTimestamptz) {
      Bytes ob;
      if (!typedBytes(env, prop(env, o, "offsets"), &ob)) return fail(env, "offsets must be an Int32Array or null");
      c.offsets = reinterpret_cast<const int32_t*>(ob.p);
      c.offsetsLen = ob.n / 4;
      if (c.offsets != nullptr && c.offsetsLen < to) return fail(env, "offsets shorter than the rows");
    }
    if (c.kind == kVarchar) {
      napi_value srcs = prop(env, o, "sources");
      uint32_t ns = 0;
      napi_get_array_length(env, srcs, &ns);
      c.sources.resize(ns);
      for (uint32_t k = 0; k < ns; k++) {
        napi_value sv;
        napi_get_element(env, srcs, k, &sv);
        if (!typedBytes(env, sv, &c.sources[k])) return fail(env, "sources must be Uint8Arrays");
      }
      Bytes rb;
      if (!typedBytes(env, prop(env, o, "ref"), &rb)) return fail(env, "ref must be an Int32Array");
      c.ref = reinterpret_cast<const int32_t*>(rb.p);
      c.refLen = rb.n / 4;
      if (c.refLen < to * 3) return fail(env, "ref shorter than the rows");
    }
  }

  size_t at = static_cast<size_t>(state[0]);
  const size_t soft = static_cast<size_t>(state[1]);
  const size_t cap = outB.n;
  state[2] = 0;
  uint8_t scratch[kMaxScalar];
  size_t r = from;
  for (; r < to; r++) {
    if (at >= soft) break;
    size_t start = at;
    if (at + 7 > cap) break;
    out[at] = 'D';
    out[at + 5] = static_cast<uint8_t>((ncols >> 8) & 0xff);
    out[at + 6] = static_cast<uint8_t>(ncols & 0xff);
    at += 7;
    bool full = false, foreign = false;
    for (uint32_t i = 0; i < ncols && !full && !foreign; i++) {
      const Column& c = cols[i];
      if (isNull(c, r)) {
        if (at + 4 > cap) {
          full = true;
          break;
        }
        putLen(out + at, -1);
        at += 4;
        continue;
      }
      const uint8_t* src = scratch;
      size_t len = c.binary ? binaryField(c, r, scratch, &src) : textField(c, r, scratch, &src);
      if (len == kForeign) {
        foreign = true;
        break;
      }
      if (at + 4 + len > cap) {
        full = true;
        break;
      }
      putLen(out + at, static_cast<int32_t>(len));
      std::memcpy(out + at + 4, src, len);
      at += 4 + len;
    }
    if (full || foreign) {
      at = start;
      if (foreign) state[2] = 1;
      break;
    }
    putLen(out + start + 1, static_cast<int32_t>(at - start - 1));
  }
  state[0] = static_cast<int32_t>(at);
  napi_value result;
  napi_create_int64(env, static_cast<int64_t>(r - from), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "encodeRows", NAPI_AUTO_LENGTH, EncodeRows, nullptr, &fn);
  napi_set_named_property(env, exports, "encodeRows", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(pgrows, Init)
