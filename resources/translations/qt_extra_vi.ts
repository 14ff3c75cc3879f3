<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<!-- Qt's own standard button texts: PySide6-Essentials ships no Vietnamese qtbase catalogue. -->
<context>
    <name>QPlatformTheme</name>
    <message><source>OK</source><translation>Đồng ý</translation></message>
    <message><source>Cancel</source><translation>Hủy</translation></message>
    <message><source>Close</source><translation>Đóng</translation></message>
    <message><source>Yes</source><translation>Có</translation></message>
    <message><source>No</source><translation>Không</translation></message>
    <message><source>Save</source><translation>Lưu</translation></message>
    <message><source>Apply</source><translation>Áp dụng</translation></message>
    <message><source>Open</source><translation>Mở</translation></message>
    <message><source>Discard</source><translation>Bỏ qua</translation></message>
    <message><source>Reset</source><translation>Đặt lại</translation></message>
    <message><source>Retry</source><translation>Thử lại</translation></message>
    <message><source>Ignore</source><translation>Bỏ qua</translation></message>
    <message><source>Help</source><translation>Trợ giúp</translation></message>
    <message><source>Abort</source><translation>Hủy bỏ</translation></message>
    <message><source>Yes to All</source><translation>Có với tất cả</translation></message>
    <message><source>No to All</source><translation>Không với tất cả</translation></message>
    <message><source>Save All</source><translation>Lưu tất cả</translation></message>
    <message><source>Restore Defaults</source><translation>Khôi phục mặc định</translation></message>
</context>
<context>
    <name>QLineEdit</name>
    <message><source>&amp;Undo</source><translation>&amp;Hoàn tác</translation></message>
    <message><source>&amp;Redo</source><translation>&amp;Làm lại</translation></message>
    <message><source>Cu&amp;t</source><translation>&amp;Cắt</translation></message>
    <message><source>&amp;Copy</source><translation>&amp;Sao chép</translation></message>
    <message><source>&amp;Paste</source><translation>&amp;Dán</translation></message>
    <message><source>Delete</source><translation>Xóa</translation></message>
    <message><source>Select All</source><translation>Chọn tất cả</translation></message>
</context>
<context>
    <name>QWidgetTextControl</name>
    <message><source>&amp;Copy</source><translation>&amp;Sao chép</translation></message>
    <message><source>Copy &amp;Link Location</source><translation>Sao chép địa chỉ &amp;liên kết</translation></message>
    <message><source>Select All</source><translation>Chọn tất cả</translation></message>
</context>
</TS>
