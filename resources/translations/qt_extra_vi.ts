<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<!-- Qt's own texts (standard buttons, file dialog, print preview): PySide6-Essentials ships
     no Vietnamese qtbase catalogue. The sources are Qt's exactly, accelerators (&amp;) included:
     Qt asks for "&amp;Yes", never "Yes" (tests/ui/test_qt_texts.py shows them in a dialog). -->
<context>
    <name>QPlatformTheme</name>
    <message><source>OK</source><translation>Đồng ý</translation></message>
    <message><source>Cancel</source><translation>Hủy</translation></message>
    <message><source>Close</source><translation>Đóng</translation></message>
    <message><source>&amp;Yes</source><translation>&amp;Có</translation></message>
    <message><source>&amp;No</source><translation>&amp;Không</translation></message>
    <message><source>Save</source><translation>Lưu</translation></message>
    <message><source>Apply</source><translation>Áp dụng</translation></message>
    <message><source>Open</source><translation>Mở</translation></message>
    <message><source>Discard</source><translation>Bỏ qua</translation></message>
    <message><source>Reset</source><translation>Đặt lại</translation></message>
    <message><source>Retry</source><translation>Thử lại</translation></message>
    <message><source>Ignore</source><translation>Bỏ qua</translation></message>
    <message><source>Help</source><translation>Trợ giúp</translation></message>
    <message><source>Abort</source><translation>Hủy bỏ</translation></message>
    <message><source>Yes to &amp;All</source><translation>Có với &amp;tất cả</translation></message>
    <message><source>N&amp;o to All</source><translation>Khô&amp;ng với tất cả</translation></message>
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
<context>
    <name>QGnomeTheme</name>
    <message><source>&amp;OK</source><translation>&amp;Đồng ý</translation></message>
    <message><source>&amp;Cancel</source><translation>&amp;Hủy</translation></message>
    <message><source>&amp;Close</source><translation>Đó&amp;ng</translation></message>
    <message><source>&amp;Save</source><translation>&amp;Lưu</translation></message>
    <message><source>Close without Saving</source><translation>Đóng không lưu</translation></message>
</context>
<context>
    <name>QFileDialog</name>
    <message><source>&amp;Look in:</source><translation>Thư &amp;mục:</translation></message>
    <message><source>File &amp;name:</source><translation>&amp;Tên tệp:</translation></message>
    <message><source>Files of &amp;type:</source><translation>&amp;Loại tệp:</translation></message>
    <message><source>Directory:</source><translation>Thư mục:</translation></message>
    <message><source>&amp;Open</source><translation>&amp;Mở</translation></message>
    <message><source>&amp;Save</source><translation>&amp;Lưu</translation></message>
    <message><source>&amp;Choose</source><translation>&amp;Chọn</translation></message>
    <message><source>Open</source><translation>Mở</translation></message>
    <message><source>Save As</source><translation>Lưu thành</translation></message>
    <message><source>Find Directory</source><translation>Chọn thư mục</translation></message>
    <message><source>All Files (*)</source><translation>Tất cả các tệp (*)</translation></message>
    <message><source>All files (*)</source><translation>Tất cả các tệp (*)</translation></message>
    <message><source>Files</source><translation>Tệp</translation></message>
    <message><source>Directories</source><translation>Thư mục</translation></message>
    <message><source>Back</source><translation>Quay lại</translation></message>
    <message><source>Forward</source><translation>Tiến tới</translation></message>
    <message><source>Parent Directory</source><translation>Thư mục cha</translation></message>
    <message><source>Go back</source><translation>Quay lại</translation></message>
    <message><source>Go forward</source><translation>Tiến tới</translation></message>
    <message><source>Go to the parent directory</source><translation>Lên thư mục cha</translation></message>
    <message><source>Create New Folder</source><translation>Tạo thư mục mới</translation></message>
    <message><source>Create a New Folder</source><translation>Tạo thư mục mới</translation></message>
    <message><source>List View</source><translation>Dạng danh sách</translation></message>
    <message><source>Detail View</source><translation>Dạng chi tiết</translation></message>
    <message><source>Change to list view mode</source><translation>Xem dạng danh sách</translation></message>
    <message><source>Change to detail view mode</source><translation>Xem dạng chi tiết</translation></message>
    <message><source>List of places and bookmarks</source><translation>Danh sách vị trí và dấu trang</translation></message>
    <message><source>Sidebar</source><translation>Thanh bên</translation></message>
    <message><source>Recent Places</source><translation>Vị trí gần đây</translation></message>
    <message><source>Remove</source><translation>Gỡ bỏ</translation></message>
    <message><source>&amp;Rename</source><translation>Đổi &amp;tên</translation></message>
    <message><source>&amp;Delete</source><translation>&amp;Xóa</translation></message>
    <message><source>Delete</source><translation>Xóa</translation></message>
    <message><source>Show &amp;hidden files</source><translation>&amp;Hiện tệp ẩn</translation></message>
    <message><source>&amp;New Folder</source><translation>Thư mục &amp;mới</translation></message>
    <message><source>New Folder</source><translation>Thư mục mới</translation></message>
    <message><source>Show </source><translation>Hiện </translation></message>
    <message><source>%1 already exists.
Do you want to replace it?</source><translation>%1 đã có.
Bạn có muốn thay bằng tệp mới không?</translation></message>
    <message><source>%1
File not found.
Please verify the correct file name was given.</source><translation>%1
Không tìm thấy tệp.
Vui lòng kiểm tra lại tên tệp.</translation></message>
    <message><source>%1
Directory not found.
Please verify the correct directory name was given.</source><translation>%1
Không tìm thấy thư mục.
Vui lòng kiểm tra lại tên thư mục.</translation></message>
    <message><source>&apos;%1&apos; is write protected.
Do you want to delete it anyway?</source><translation>&apos;%1&apos; đang được chống ghi.
Bạn vẫn muốn xóa?</translation></message>
    <message><source>Are you sure you want to delete &apos;%1&apos;?</source><translation>Bạn có chắc muốn xóa &apos;%1&apos;?</translation></message>
    <message><source>Could not delete directory.</source><translation>Không xóa được thư mục.</translation></message>
</context>
<context>
    <name>QFileSystemModel</name>
    <message><source>Name</source><translation>Tên</translation></message>
    <message><source>Size</source><translation>Kích thước</translation></message>
    <message><source>Type</source><translation>Loại</translation></message>
    <message><source>Kind</source><translation>Loại</translation></message>
    <message><source>Date Modified</source><translation>Ngày sửa</translation></message>
    <message><source>Computer</source><translation>Máy tính</translation></message>
    <message><source>My Computer</source><translation>Máy tính</translation></message>
</context>
<context>
    <name>QAbstractFileIconProvider</name>
    <message><source>Drive</source><translation>Ổ đĩa</translation></message>
    <message><source>Folder</source><translation>Thư mục</translation></message>
    <message><source>File Folder</source><translation>Thư mục</translation></message>
    <message><source>File</source><translation>Tệp</translation></message>
    <message><source>Alias</source><translation>Bí danh</translation></message>
    <message><source>Shortcut</source><translation>Lối tắt</translation></message>
    <message><source>Unknown</source><translation>Không rõ</translation></message>
</context>
<context>
    <name>QPrintPreviewDialog</name>
    <message><source>Print Preview</source><translation>Xem trước khi in</translation></message>
    <message><source>First page</source><translation>Trang đầu</translation></message>
    <message><source>Previous page</source><translation>Trang trước</translation></message>
    <message><source>Next page</source><translation>Trang sau</translation></message>
    <message><source>Last page</source><translation>Trang cuối</translation></message>
    <message><source>Fit width</source><translation>Vừa chiều ngang</translation></message>
    <message><source>Fit page</source><translation>Vừa trang</translation></message>
    <message><source>Zoom in</source><translation>Phóng to</translation></message>
    <message><source>Zoom out</source><translation>Thu nhỏ</translation></message>
    <message><source>Portrait</source><translation>Khổ dọc</translation></message>
    <message><source>Landscape</source><translation>Khổ ngang</translation></message>
    <message><source>Show single page</source><translation>Xem từng trang</translation></message>
    <message><source>Show facing pages</source><translation>Xem hai trang cạnh nhau</translation></message>
    <message><source>Show overview of all pages</source><translation>Xem tất cả các trang</translation></message>
    <message><source>Print</source><translation>In</translation></message>
    <message><source>Page setup</source><translation>Cài đặt trang</translation></message>
    <message><source>Page Setup</source><translation>Cài đặt trang</translation></message>
    <message><source>Export to PDF</source><translation>Xuất ra PDF</translation></message>
</context>
</TS>
