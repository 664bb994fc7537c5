// Resolves DllImport("kestrun_rust") to the native library shipped in the module's lib folder
// (libkestrun_rust.so / libkestrun_rust.dylib / kestrun_rust.dll) through NativeLibrary.SetDllImportResolver.
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace KestrunRust
{
    public static class KrNativeLoader
    {
        private static readonly object Gate = new object();
        private static bool _registered;
        private static string _libraryPath;
        private static IntPtr _handle;

        /// <summary>The file name of the native library on this operating system.</summary>
        public static string NativeFileName
        {
            get
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                {
                    return "kestrun_rust.dll";
                }
                if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
                {
                    return "libkestrun_rust.dylib";
                }
                return "libkestrun_rust.so";
            }
        }

        /// <summary>The full path of the native library in use (null until configured).</summary>
        public static string LibraryPath
        {
            get { lock (Gate) { return _libraryPath; } }
        }

        /// <summary>True once the native library has been loaded.</summary>
        public static bool IsLoaded
        {
            get { lock (Gate) { return _handle != IntPtr.Zero; } }
        }

        /// <summary>Uses the native library in <paramref name="libDirectory"/> (the module's lib folder).
        /// Safe to call more than once (re-imports of the module): the resolver is registered once per process,
        /// and the first library loaded stays in use.</summary>
        public static void Initialize(string libDirectory)
        {
            if (string.IsNullOrEmpty(libDirectory))
            {
                throw new ArgumentException("The native library folder must be given.", nameof(libDirectory));
            }
            UseLibrary(Path.Combine(libDirectory, NativeFileName));
        }

        /// <summary>Uses the native library file at <paramref name="libraryPath"/>.</summary>
        public static void UseLibrary(string libraryPath)
        {
            if (string.IsNullOrEmpty(libraryPath))
            {
                throw new ArgumentException("The native library path must be given.", nameof(libraryPath));
            }
            lock (Gate)
            {
                if (_handle == IntPtr.Zero)
                {
                    _libraryPath = Path.GetFullPath(libraryPath);
                }
                if (!_registered)
                {
                    NativeLibrary.SetDllImportResolver(typeof(KrNative).Assembly, Resolve);
                    _registered = true;
                }
            }
        }

        /// <summary>Loads the library now (instead of at the first kr_* call) so that a missing or broken file
        /// is reported with its path.</summary>
        public static void EnsureLoaded()
        {
            lock (Gate)
            {
                if (_handle != IntPtr.Zero)
                {
                    return;
                }
                if (_libraryPath == null)
                {
                    throw new InvalidOperationException("The Kestrun.Rust native library location is not configured (KrNativeLoader.Initialize was not called).");
                }
                if (!File.Exists(_libraryPath))
                {
                    throw new DllNotFoundException("The Kestrun.Rust native library was not found at '" + _libraryPath + "'. Build it with: pwsh ./build.ps1");
                }
                _handle = NativeLibrary.Load(_libraryPath);
            }
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (!string.Equals(libraryName, KrNative.LibraryName, StringComparison.Ordinal))
            {
                return IntPtr.Zero;
            }
            lock (Gate)
            {
                if (_handle != IntPtr.Zero)
                {
                    return _handle;
                }
                if (_libraryPath != null && File.Exists(_libraryPath))
                {
                    _handle = NativeLibrary.Load(_libraryPath);
                    return _handle;
                }
            }
            // Fall back to the default probing (PATH / LD_LIBRARY_PATH / DYLD_LIBRARY_PATH).
            return IntPtr.Zero;
        }
    }
}
