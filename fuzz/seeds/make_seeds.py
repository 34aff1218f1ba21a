#!/usr/bin/env python3
"""Writes the hand-written seed inputs under fuzz/seeds/<target>/.

The targets decode their input with `arbitrary` 1.x: an enum is a u32
(little-endian) scaled to the variant count, integers are little-endian,
`bool` is a byte's low bit, `Option` a bool then the value, and the op list
(the input's last field) is "continue?" bool bytes each followed by an op.
Check a seed with `cargo +nightly fuzz fmt <target> fuzz/seeds/<target>/<file>`.
Run from the repository root: `python3 fuzz/seeds/make_seeds.py`.
"""
import os
import struct

def u8(x): return struct.pack('<B', x)
def u16(x): return struct.pack('<H', x)
def u32(x): return struct.pack('<I', x)
def u64(x): return struct.pack('<Q', x)
def flag(b): return u8(1 if b else 0)
def variant(i, n): return u32(-(-(i << 32) // n))  # ceil(i * 2^32 / n)

def ops(*items):  # a take-rest op list
    return b''.join(b'\x01' + op for op in items)

# --- common.rs -----------------------------------------------------------
def In(k): return variant(0, 3) + u16(k)
def Ex(k): return variant(1, 3) + u16(k)
def Un(): return variant(2, 3)
END = ['Stop', 'RestFwd', 'RestBack', 'Last', 'Min', 'Max', 'Count', 'Nth', 'NthBack']
def walk(steps, ends, end, n=None):
    e = variant(END.index(end), len(END)) + (u8(n) if n is not None else b'')
    return u8(steps) + u64(ends) + e
def rnd(seed, length, modulus): return variant(0, 3) + u32(seed) + u8(length) + u16(modulus)
def run(base, length, step): return variant(1, 3) + u16(base) + u16(length) + u8(step)
def desc(base, length, step): return variant(2, 3) + u16(base) + u16(length) + u8(step)
def prog(nibbles, arg):
    p = 0
    for i, x in enumerate(nibbles):
        p |= x << (4 * i)
    return u8(len(nibbles)) + u64(p) + u32(arg)

# --- map_ops ---------------------------------------------------------------
MAP_OPS = ['Insert', 'CheckedInsert', 'Remove', 'RemoveEntry', 'Get', 'GetMut', 'Entry',
           'FirstEntry', 'LastEntry', 'Range', 'RangeMut', 'Iter', 'IterMut', 'Keys', 'Values',
           'ValuesMut', 'IntoIter', 'PopFirst', 'PopLast', 'Retain', 'ExtractIf', 'Append',
           'SplitOff', 'Clone', 'Cursor', 'CursorMut', 'FromSorted', 'Collect', 'Extend', 'Bulk',
           'Clear', 'Compare', 'Check']
MAP_CONFIGS = ['Default', 'Compact', 'Phase0', 'Compact16Cap4', 'AdaptiveCap4', 'AdaptivePoolCap4']
def m(name, *fields): return variant(MAP_OPS.index(name), len(MAP_OPS)) + b''.join(fields)
def mcfg(name): return variant(MAP_CONFIGS.index(name), len(MAP_CONFIGS))
def bulk_how(name): return variant(['Extend', 'FromSorted', 'Append', 'AppendTo'].index(name), 4)
ENTRY = ['OrInsert', 'OrInsertWithKey', 'OrDefault', 'AndModify', 'InsertEntry', 'Key', 'Occupied', 'Vacant']
EDGE = ['Get', 'GetMut', 'IntoMut', 'Insert', 'Remove', 'RemoveEntry']
def entry(name, *f): return variant(ENTRY.index(name), len(ENTRY)) + b''.join(f)
def edge(name, *f): return variant(EDGE.index(name), len(EDGE)) + b''.join(f)
def into_kind(name): return variant(['Entries', 'Keys', 'Values'].index(name), 3)

map_seeds = {
    'basic': mcfg('Default') + ops(
        *[m('Insert', u16(k), u32(k * 10)) for k in (5, 1, 9, 3, 7)],
        m('Get', u16(3)), m('Remove', u16(9)), m('GetMut', u16(1), u32(77)),
        m('Iter', walk(4, 0b0101, 'RestFwd')), m('PopFirst'), m('PopLast'), m('Check')),
    'cursors_cap4': mcfg('Compact16Cap4') + ops(
        m('Bulk', u16(0), u32(200), bulk_how('Extend')),
        m('CursorMut', flag(False), In(50), prog([0, 6, 8, 10, 11, 2, 3, 7, 9, 12, 4, 5], 0x1234_5671)),
        m('Cursor', flag(True), Ex(150), prog([0, 1, 2, 3, 0, 0, 1], 0)),
        m('CursorMut', flag(True), Un(), prog([11] * 16, 3)),
        m('Check')),
    'adaptive_widen': mcfg('AdaptiveCap4') + ops(
        m('Bulk', u16(0), u32(200_000), bulk_how('Extend')),
        m('Insert', u16(7), u32(1)), m('Range', In(100), Ex(60_000), walk(8, 0xF0, 'Count')),
        m('ExtractIf', Un(), Un(), u8(0), u8(0), u32(0), u8(255)),
        m('Check')),
    'bulk_sorted_split': mcfg('AdaptivePoolCap4') + ops(
        m('Bulk', u16(10), u32(150_000), bulk_how('FromSorted')),
        m('SplitOff', u16(40_000), flag(True)),
        m('Bulk', u16(0), u32(3000), bulk_how('AppendTo')),
        m('Check')),
    'phase0_mix': mcfg('Phase0') + ops(
        m('Collect', rnd(42, 200, 300), u32(1)),
        m('Range', In(10), In(5), walk(1, 0, 'Stop')),  # std panics: ours must too
        m('Range', Ex(7), Ex(7), walk(1, 0, 'Stop')),
        m('RangeMut', In(20), Un(), walk(3, 0b010, 'RestBack'), u32(5)),
        m('SplitOff', u16(150), flag(False)),
        m('Append', desc(100, 80, 3), u32(2)),
        m('Compare', rnd(42, 200, 300), u32(1)),
        m('Retain', u8(2), u8(1), u32(9)),
        m('IntoIter', walk(5, 0b10110, 'Nth', 3), into_kind('Entries'), flag(True)),
        m('Check')),
    'compact_entries': mcfg('Compact') + ops(
        m('Extend', run(0, 3000, 2), u32(3)),
        m('Entry', u16(4), entry('AndModify', u32(1), u32(2))),
        m('Entry', u16(5), entry('OrInsertWithKey')),
        m('Entry', u16(6), entry('Occupied', edge('Remove'))),
        m('Entry', u16(9), entry('Vacant', u32(8), flag(False))),
        m('FirstEntry', edge('RemoveEntry')), m('LastEntry', edge('Insert', u32(4))),
        m('FromSorted', run(1, 100, 1), u32(0)),
        m('IntoIter', walk(9, 0x1FF, 'Last'), into_kind('Values'), flag(False)),
        m('Check')),
}

# --- set_ops ---------------------------------------------------------------
SET_OPS = ['Insert', 'Replace', 'Remove', 'Take', 'Get', 'PopFirst', 'PopLast', 'Range', 'Iter',
           'IntoIter', 'Retain', 'ExtractIf', 'Append', 'SplitOff', 'Clone', 'FromIter', 'Extend',
           'Bulk', 'Clear', 'With', 'Check']
SETOP = ['Union', 'Intersection', 'Difference', 'DifferenceRev', 'SymmetricDifference', 'Relations', 'Compare']
def s(name, *fields): return variant(SET_OPS.index(name), len(SET_OPS)) + b''.join(fields)
def setop(name): return variant(SETOP.index(name), len(SETOP))

set_seeds = {
    'basic': mcfg('Default') + ops(
        *[s('Insert', u16(k)) for k in (4, 8, 15, 16, 23, 42)],
        s('Replace', u16(8)), s('Take', u16(15)), s('Range', In(5), Ex(30), walk(2, 0b10, 'RestFwd')),
        s('With', rnd(1, 20, 50), setop('Union')), s('Check')),
    'set_algebra_cap4': mcfg('Compact16Cap4') + ops(
        s('Extend', rnd(7, 250, 400)),
        *[s('With', rnd(7, 120, 400), setop(x)) for x in SETOP],
        *[s('With', run(0, 500, 1), setop(x)) for x in SETOP],
        s('Check')),
    'adaptive_bulk': mcfg('AdaptiveCap4') + ops(
        s('Bulk', u16(0), u32(180_000), flag(False)),
        s('SplitOff', u16(30_000), flag(False)),
        s('ExtractIf', In(1000), Un(), u8(1), u8(0), u8(255)),
        s('Check')),
    'phase0_split_append': mcfg('Phase0') + ops(
        s('FromIter', run(0, 300, 3)), s('SplitOff', u16(450), flag(True)),
        s('Append', desc(0, 100, 5)), s('Retain', u8(3), u8(0)),
        s('IntoIter', walk(6, 0b101010, 'Max'), flag(True)), s('Check')),
}

# --- panics ----------------------------------------------------------------
P_OPS = ['Insert', 'Remove', 'Get', 'EntryOrInsert', 'EntryRemove', 'PopFirst', 'PopLast', 'Retain',
         'ExtractIf', 'Append', 'SplitOff', 'Clone', 'FromIter', 'FromSorted', 'Extend', 'Range',
         'IntoIter', 'CursorMut', 'Bulk', 'Clear']
P_CONFIGS = ['Default', 'Compact', 'Phase0', 'Compact16Cap4', 'AdaptiveCap4']
KIND = ['Cmp', 'Clone', 'Drop', 'Pred']
def pcfg(name): return variant(P_CONFIGS.index(name), len(P_CONFIGS))
def step(arm, name, *fields):
    a = flag(False) if arm is None else flag(True) + variant(KIND.index(arm[0]), 4) + u8(arm[1])
    return a + variant(P_OPS.index(name), len(P_OPS)) + b''.join(fields)

panic_seeds = {
    'clone_in_split': pcfg('Compact16Cap4') + ops(
        step(None, 'Bulk', u16(0), u16(300)),
        step(('Clone', 3), 'Insert', u16(1000), u16(1)),
        step(('Cmp', 5), 'Insert', u16(77), u16(2)),
        step(('Drop', 0), 'Remove', u16(10)),
        step(None, 'Remove', u16(11))),
    'pred_in_extract': pcfg('AdaptiveCap4') + ops(
        step(None, 'FromIter', run(0, 500, 1)),
        step(('Pred', 40), 'ExtractIf', In(10), Un(), u8(1), u8(0), u8(255)),
        step(('Pred', 7), 'Retain', u8(2), u8(1)),
        step(('Clone', 2), 'Clone', flag(True))),
    'cursor_and_drop': pcfg('Default') + ops(
        step(None, 'Extend', rnd(3, 200, 1000)),
        step(('Drop', 5), 'CursorMut', flag(False), In(300), prog([0, 4, 4, 5, 2, 3, 0, 4], 301)),
        step(('Cmp', 9), 'SplitOff', u16(500)),
        step(('Drop', 30), 'IntoIter', walk(3, 0b1, 'Stop')),
        step(None, 'Bulk', u16(100), u16(150))),
    'compact_phase0': pcfg('Phase0') + ops(
        step(None, 'FromSorted', run(0, 100, 2)),
        step(('Clone', 1), 'Append', rnd(9, 60, 400)),
        step(('Drop', 2), 'Clear'),
        step(None, 'EntryOrInsert', u16(3), u16(4)),
        step(('Cmp', 0), 'EntryRemove', u16(3))),
}

root = os.path.dirname(os.path.abspath(__file__))
for target, seeds in [('map_ops', map_seeds), ('set_ops', set_seeds), ('panics', panic_seeds)]:
    os.makedirs(os.path.join(root, target), exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(root, target, name), 'wb') as f:
            f.write(data)
