// Named objects of the process (servers, loggers): a map from name (case-insensitive) to object, and the current one
// (the server the commands use by default, the logger applied to the native pipeline), under one lock.
using System;
using System.Collections.Generic;

namespace KestrunRust
{
    /// <summary>Objects by name, and the current one. Every member takes <see cref="Gate"/>; an owner that changes
    /// several things at once (or calls the library meanwhile) holds it around them (the lock is reentrant).</summary>
    internal sealed class KrNameRegistry<T> where T : class
    {
        private readonly Dictionary<string, T> _items = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        private T _current;

        /// <summary>The lock of the registry.</summary>
        internal object Gate { get; } = new object();

        /// <summary>The current object (null when there is none).</summary>
        internal T Current
        {
            get { lock (Gate) { return _current; } }
            set { lock (Gate) { _current = value; } }
        }

        /// <summary>The object named <paramref name="name"/>, or null.</summary>
        internal T Get(string name)
        {
            lock (Gate)
            {
                return _items.TryGetValue(name, out T item) ? item : null;
            }
        }

        /// <summary>A copy of the registered objects.</summary>
        internal T[] GetAll()
        {
            lock (Gate)
            {
                var all = new T[_items.Count];
                _items.Values.CopyTo(all, 0);
                return all;
            }
        }

        /// <summary>Registers <paramref name="item"/> as <paramref name="name"/>, replacing an object of that name.</summary>
        internal void Set(string name, T item)
        {
            lock (Gate)
            {
                _items[name] = item;
            }
        }

        /// <summary>Drops <paramref name="item"/>: its name when it is still registered under it, and the current
        /// object when it is that.</summary>
        internal void Forget(string name, T item)
        {
            lock (Gate)
            {
                if (_items.TryGetValue(name, out T registered) && ReferenceEquals(registered, item))
                {
                    _items.Remove(name);
                }
                if (ReferenceEquals(_current, item))
                {
                    _current = null;
                }
            }
        }

        /// <summary>Drops every object and the current one.</summary>
        internal void Clear()
        {
            lock (Gate)
            {
                _items.Clear();
                _current = null;
            }
        }
    }
}
