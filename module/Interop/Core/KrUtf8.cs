// UTF-8 marshalling helpers for the kr_* functions: NUL-terminated strings in (stack buffer when the
// value fits, heap array otherwise) and the two-call "strings / bytes out" protocol (a stack buffer
// first; a heap buffer of the reported length only when the value does not fit).
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace KestrunRust
{
    /// <summary>Reads a string/bytes value of a request-less function (kr_version, kr_last_error_message).</summary>
    public delegate KrStatus KrOutFn0(ref byte buf, nuint bufLen, out nuint outLen);

    /// <summary>Reads a string/bytes value of a handle (kr_request_path, kr_request_body, ...).</summary>
    public delegate KrStatus KrOutFnH(IntPtr handle, ref byte buf, nuint bufLen, out nuint outLen);

    /// <summary>Reads a string/bytes value of a handle and one string argument (kr_request_header, ...).</summary>
    public delegate KrStatus KrOutFnHS(IntPtr handle, ref byte arg, ref byte buf, nuint bufLen, out nuint outLen);

    /// <summary>Reads a string value of a handle and an index (kr_server_endpoint_url, kr_session_key_at).</summary>
    public delegate KrStatus KrOutFnHI(IntPtr handle, nuint index, ref byte buf, nuint bufLen, out nuint outLen);

    public static class KrUtf8
    {
        /// <summary>Size of the stack buffers used for arguments and results.</summary>
        public const int StackBytes = 512;

        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>
        /// Encodes <paramref name="value"/> as NUL-terminated UTF-8 into <paramref name="stack"/> when it fits,
        /// else into a new array, and returns a reference to the first byte (what a `const char*` wants).
        /// </summary>
        public static ref byte Z(string value, Span<byte> stack)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }
            int max = Encoding.UTF8.GetMaxByteCount(value.Length) + 1;
            if (max > stack.Length)
            {
                int exact = Strict.GetByteCount(value) + 1;
                if (exact > stack.Length)
                {
                    byte[] heap = new byte[exact];
                    Strict.GetBytes(value, 0, value.Length, heap, 0);
                    return ref heap[0];
                }
            }
            int n = Strict.GetBytes(value.AsSpan(), stack);
            stack[n] = 0;
            return ref stack[0];
        }

        /// <summary>NUL-terminated UTF-8 bytes of a string (heap), for calls that are not on the hot path.</summary>
        public static byte[] ZArray(string value)
        {
            if (value == null)
            {
                throw new ArgumentNullException(nameof(value));
            }
            byte[] bytes = new byte[Strict.GetByteCount(value) + 1];
            Strict.GetBytes(value, 0, value.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Encodes a body / value as UTF-8 (no terminator).</summary>
        public static byte[] Bytes(string value)
        {
            return value == null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(value);
        }

        /// <summary>Decodes UTF-8 (invalid sequences become U+FFFD).</summary>
        public static string Decode(ReadOnlySpan<byte> bytes)
        {
            return bytes.Length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
        }

        /// <summary>A reference usable for a `const uint8_t* data, size_t len` pair (NULL is never passed: a dummy byte for empty data).</summary>
        public static ref byte Data(byte[] data, ref byte empty)
        {
            if (data == null || data.Length == 0)
            {
                return ref empty;
            }
            return ref data[0];
        }

        // ---- strings / bytes out (two-call protocol) -------------------------------------------------

        /// <summary>Reads a string with no handle; null on any failure (used to fetch the last error itself).</summary>
        public static string ReadStringNoThrow(KrOutFn0 fn)
        {
            byte none = 0;
            Span<byte> stack = stackalloc byte[StackBytes];
            // One retry with a buffer of the reported length: this must not loop while reporting an error.
            KrStatus st = Fetch(new KrOutCall(fn), ref none, stack, 1, 1, out byte[] heap, out int len);
            return st == KrStatus.Ok ? Decode(Value(stack, heap, len)) : null;
        }

        /// <summary>Reads a string with no handle. Returns null on KR_NOT_FOUND; throws KrException on other errors.</summary>
        public static string ReadString(KrOutFn0 fn, string operation)
        {
            byte none = 0;
            return ReadString(new KrOutCall(fn), ref none, operation, null);
        }

        /// <summary>Reads a string of a handle. Returns null on KR_NOT_FOUND; throws KrException on other errors.</summary>
        public static string ReadString(IntPtr handle, KrOutFnH fn, string operation)
        {
            byte none = 0;
            return ReadString(new KrOutCall(handle, fn), ref none, operation, null);
        }

        /// <summary>Reads a string of a handle keyed by a string argument. Returns null on KR_NOT_FOUND.</summary>
        public static string ReadString(IntPtr handle, string arg, KrOutFnHS fn, string operation)
        {
            Span<byte> argStack = stackalloc byte[StackBytes];
            return ReadString(new KrOutCall(handle, fn), ref Z(arg, argStack), operation, arg);
        }

        /// <summary>Reads a string of a handle selected by an index. Returns null on KR_NOT_FOUND.</summary>
        public static string ReadString(IntPtr handle, nuint index, KrOutFnHI fn, string operation)
        {
            byte none = 0;
            return ReadString(new KrOutCall(handle, index, fn), ref none, operation, null);
        }

        /// <summary>Reads bytes of a handle (no terminator). Returns null on KR_NOT_FOUND.</summary>
        public static byte[] ReadBytes(IntPtr handle, KrOutFnH fn, string operation)
        {
            byte none = 0;
            return ReadBytes(new KrOutCall(handle, fn), ref none, operation, null);
        }

        /// <summary>Reads bytes of a handle keyed by a string argument (no terminator). Returns null on KR_NOT_FOUND.</summary>
        public static byte[] ReadBytes(IntPtr handle, string arg, KrOutFnHS fn, string operation)
        {
            Span<byte> argStack = stackalloc byte[StackBytes];
            return ReadBytes(new KrOutCall(handle, fn), ref Z(arg, argStack), operation, arg);
        }

        // A string value: null on KR_NOT_FOUND, KrException on other errors (naming argument when there is one).
        private static string ReadString(in KrOutCall call, ref byte arg, string operation, string argument)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = Fetch(call, ref arg, stack, 1, 4, out byte[] heap, out int len);
            return st == KrStatus.Ok ? Decode(Value(stack, heap, len)) : Fail(st, operation, argument);
        }

        // A bytes value (a heap buffer of the exact length is returned as is): null on KR_NOT_FOUND, KrException on
        // other errors.
        private static byte[] ReadBytes(in KrOutCall call, ref byte arg, string operation, string argument)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = Fetch(call, ref arg, stack, 0, 4, out byte[] heap, out int len);
            if (st != KrStatus.Ok)
            {
                Fail(st, operation, argument);
                return null;
            }
            return heap != null && len == heap.Length ? heap : Value(stack, heap, len).ToArray();
        }

        /// <summary>The two-call protocol: <paramref name="call"/> into <paramref name="stack"/>, then, while it
        /// answers KR_BUFFER_TOO_SMALL (at most <paramref name="attempts"/> times), into a new heap buffer of the
        /// reported length plus <paramref name="terminator"/> bytes (at least one byte). On KR_OK the value is the
        /// first <paramref name="len"/> bytes of <paramref name="heap"/>, or of the stack buffer when heap is null.</summary>
        private static KrStatus Fetch(in KrOutCall call, ref byte arg, Span<byte> stack, int terminator, int attempts,
            out byte[] heap, out int len)
        {
            heap = null;
            KrStatus st = call.Invoke(ref arg, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint length);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < attempts; attempt++)
            {
                heap = new byte[Math.Max(1, checked((int)length + terminator))];
                st = call.Invoke(ref arg, ref heap[0], (nuint)heap.Length, out length);
            }
            len = st == KrStatus.Ok ? (int)length : 0;
            return st;
        }

        private static ReadOnlySpan<byte> Value(Span<byte> stack, byte[] heap, int len)
        {
            return heap == null ? stack.Slice(0, len) : new ReadOnlySpan<byte>(heap, 0, len);
        }

        // Null for KR_NOT_FOUND; throws KrException for any other status that is not KR_OK.
        private static string Fail(KrStatus st, string operation, string argument)
        {
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            if (argument == null)
            {
                KrError.Check(st, operation);
            }
            else
            {
                KrOperation.Check(st, operation, argument);
            }
            return null;
        }

        /// <summary>One call of a reading function, whichever of the four shapes it has (the argument is used only by
        /// the handle + string shape).</summary>
        private readonly struct KrOutCall
        {
            private readonly IntPtr _handle;
            private readonly nuint _index;
            private readonly KrOutFn0 _fn0;
            private readonly KrOutFnH _fnH;
            private readonly KrOutFnHS _fnHS;
            private readonly KrOutFnHI _fnHI;

            internal KrOutCall(KrOutFn0 fn) : this()
            {
                _fn0 = fn;
            }

            internal KrOutCall(IntPtr handle, KrOutFnH fn) : this()
            {
                _handle = handle;
                _fnH = fn;
            }

            internal KrOutCall(IntPtr handle, KrOutFnHS fn) : this()
            {
                _handle = handle;
                _fnHS = fn;
            }

            internal KrOutCall(IntPtr handle, nuint index, KrOutFnHI fn) : this()
            {
                _handle = handle;
                _index = index;
                _fnHI = fn;
            }

            internal KrStatus Invoke(ref byte arg, ref byte buf, nuint bufLen, out nuint outLen)
            {
                if (_fnH != null)
                {
                    return _fnH(_handle, ref buf, bufLen, out outLen);
                }
                if (_fnHS != null)
                {
                    return _fnHS(_handle, ref arg, ref buf, bufLen, out outLen);
                }
                if (_fnHI != null)
                {
                    return _fnHI(_handle, _index, ref buf, bufLen, out outLen);
                }
                return _fn0(ref buf, bufLen, out outLen);
            }
        }
    }
}
