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
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            if (st == KrStatus.Ok)
            {
                return Decode(stack.Slice(0, (int)len));
            }
            if (st == KrStatus.BufferTooSmall)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                if (fn(ref heap[0], (nuint)heap.Length, out len) == KrStatus.Ok)
                {
                    return Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            return null;
        }

        /// <summary>Reads a string with no handle. Returns null on KR_NOT_FOUND; throws KrException on other errors.</summary>
        public static string ReadString(KrOutFn0 fn, string operation)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                st = fn(ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok)
                {
                    return Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrError.Check(st, operation);
            return Decode(stack.Slice(0, (int)len));
        }

        /// <summary>Reads a string of a handle. Returns null on KR_NOT_FOUND; throws KrException on other errors.</summary>
        public static string ReadString(IntPtr handle, KrOutFnH fn, string operation)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(handle, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                st = fn(handle, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok)
                {
                    return Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrError.Check(st, operation);
            return Decode(stack.Slice(0, (int)len));
        }

        /// <summary>Reads a string of a handle keyed by a string argument. Returns null on KR_NOT_FOUND.</summary>
        public static string ReadString(IntPtr handle, string arg, KrOutFnHS fn, string operation)
        {
            Span<byte> argStack = stackalloc byte[StackBytes];
            ref byte a = ref Z(arg, argStack);
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(handle, ref a, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                st = fn(handle, ref a, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok)
                {
                    return Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrOperation.Check(st, operation, arg);
            return Decode(stack.Slice(0, (int)len));
        }

        /// <summary>Reads a string of a handle selected by an index. Returns null on KR_NOT_FOUND.</summary>
        public static string ReadString(IntPtr handle, nuint index, KrOutFnHI fn, string operation)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(handle, index, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[checked((int)len + 1)];
                st = fn(handle, index, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok)
                {
                    return Decode(new ReadOnlySpan<byte>(heap, 0, (int)len));
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrError.Check(st, operation);
            return Decode(stack.Slice(0, (int)len));
        }

        /// <summary>Reads bytes of a handle (no terminator). Returns null on KR_NOT_FOUND.</summary>
        public static byte[] ReadBytes(IntPtr handle, KrOutFnH fn, string operation)
        {
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(handle, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[Math.Max(1, checked((int)len))];
                st = fn(handle, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok && (int)len == heap.Length)
                {
                    return heap;
                }
                if (st == KrStatus.Ok)
                {
                    return new ReadOnlySpan<byte>(heap, 0, (int)len).ToArray();
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrError.Check(st, operation);
            return stack.Slice(0, (int)len).ToArray();
        }

        /// <summary>Reads bytes of a handle keyed by a string argument (no terminator). Returns null on KR_NOT_FOUND.</summary>
        public static byte[] ReadBytes(IntPtr handle, string arg, KrOutFnHS fn, string operation)
        {
            Span<byte> argStack = stackalloc byte[StackBytes];
            ref byte a = ref Z(arg, argStack);
            Span<byte> stack = stackalloc byte[StackBytes];
            KrStatus st = fn(handle, ref a, ref MemoryMarshal.GetReference(stack), (nuint)stack.Length, out nuint len);
            for (int attempt = 0; st == KrStatus.BufferTooSmall && attempt < 4; attempt++)
            {
                byte[] heap = new byte[Math.Max(1, checked((int)len))];
                st = fn(handle, ref a, ref heap[0], (nuint)heap.Length, out len);
                if (st == KrStatus.Ok && (int)len == heap.Length)
                {
                    return heap;
                }
                if (st == KrStatus.Ok)
                {
                    return new ReadOnlySpan<byte>(heap, 0, (int)len).ToArray();
                }
            }
            if (st == KrStatus.NotFound)
            {
                return null;
            }
            KrOperation.Check(st, operation, arg);
            return stack.Slice(0, (int)len).ToArray();
        }
    }
}
